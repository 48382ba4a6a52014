"""
Participants (companies, knowledge institutions, public actors), the
activities of the cluster offices, and who took part: the basis of "what
we get" per municipality.
"""
