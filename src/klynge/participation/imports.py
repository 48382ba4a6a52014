"""
Reading and checking a participant file, without storing anything.

One row is one participant in one activity of the office that uploads the
file (the template's columns are in `COLUMNS`). `check_file` reads the bytes
(CSV as Danish Excel writes it, or XLSX), checks every row and returns an
`ImportPlan`: the participants, activities, contacts, exporter statuses and
participations the file describes, and every problem as (row, column, value,
message). `plan_changes` compares a plan with the database and says what
storing it would create or change; `participation.services` does the writing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klynge.common.choices import Basis
from klynge.core.dates import format_date_numeric, parse_date_da
from klynge.core.money import group_thousands
from klynge.core.postcodes import PlacementError, place
from klynge.core.tabular import Table, TableError, read_table
from klynge.core.text import escape_controls, first_control, is_digits
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.models import (
    Activity,
    ActivityKind,
    ActivityParticipation,
    ContactPerson,
    EmployeeBand,
    ExporterYear,
    ImportBatch,
    Participant,
    ParticipantKind,
    ParticipationRole,
)
from klynge.participation.registry import cvr_clean, known_municipality_codes, postal_areas

SHEET_NAME = "Deltagelser"
CHUNK = 500  # ids per IN (...) query; below every backend's parameter limit


@dataclass(frozen=True)
class Column:
    """One column of the template: its key, Danish header, accepted headers and help."""

    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool
    help: Promise
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("activity_id", "Aktivitets-id", ("aktivitetsid", "aktivitet id", "activity id"), True,
           gettext_lazy("The office's own id of the activity. A later file with the same id "
                        "updates the activity instead of adding another."), "NM-2024-03"),
    Column("activity", "Aktivitet", ("aktivitetstitel", "titel", "activity", "title"), True,
           gettext_lazy("The activity's title."), "Netværksmøde om cirkulært byggeri"),
    Column("activity_kind", "Aktivitetstype", ("type", "activity type"), True,
           gettext_lazy("netværksmøde, kursus, innovationsprojekt, matchmaking, "
                        "international delegation or andet."), "netværksmøde"),
    Column("date", "Dato", ("aktivitetsdato", "date"), True,
           gettext_lazy("The day the activity was held: 31-12-2024 or 2024-12-31."), "14-03-2024"),
    Column("held_in", "Afholdt i kommune", ("afholdt i", "held in"), False,
           gettext_lazy("Municipality code or name of the municipality where it was held; "
                        "empty if held outside the region."), "370"),
    Column("green", "Grøn omstilling", ("grøn", "green", "green transition"), False,
           gettext_lazy("ja or nej: is the activity about the green transition?"), "ja"),
    Column("international", "International", ("internationalt",), False,
           gettext_lazy("ja or nej: is the activity international (a delegation, a foreign "
                        "partner, export)?"), "nej"),
    Column("participant_kind", "Deltagertype", ("participant type",), False,
           gettext_lazy("virksomhed (default), videninstitution or offentlig aktør."),
           "virksomhed"),
    Column("cvr", "CVR-nummer", ("cvr", "cvr-nr.", "cvr nr", "cvr number"), False,
           gettext_lazy("8 digits; required for a company. The check digit is checked."),
           "12345674"),
    Column("p_number", "P-nummer", ("p-nr.", "pnummer", "p number"), False,
           gettext_lazy("The production unit's number, if known."), ""),
    Column("name", "Navn", ("virksomhedsnavn", "deltager", "name"), True,
           gettext_lazy("The participant's name."), "Eksempel Byg ApS (eksempel)"),
    Column("address", "Adresse", ("address",), False, gettext_lazy("Street and number."),
           "Eksempelvej 1"),
    Column("postal_code", "Postnummer", ("postnr.", "postnr", "postal code"), False,
           gettext_lazy("Gives the municipality when the municipality code is empty."), "4700"),
    Column("municipality_code", "Kommunekode", ("municipality code",), False,
           gettext_lazy("Three digits; wins over the postal code."), ""),
    Column("employees", "Antal ansatte", ("ansatte", "employees"), False,
           gettext_lazy("0-9, 10-49, 50-249 or 250+. Fewer than 250 is an SME."), "10-49"),
    Column("industry", "Branchekode", ("db07", "industry code"), False,
           gettext_lazy("DB07 industry code, up to 6 digits."), "412000"),
    Column("sole_proprietor", "Enkeltmandsvirksomhed",
           ("personligt ejet", "personligt ejet virksomhed", "sole proprietorship",
            "sole proprietor"), False,
           gettext_lazy("ja if the company is a sole proprietorship: its name, address and CVR "
                        "number then identify a person and are personal data, which the "
                        "reader role does not see. Empty keeps what is registered."), "nej"),
    Column("exporter", "Eksportør", ("eksporterer", "exporter"), False,
           gettext_lazy("ja or nej: did the participant export in the activity's year?"), "nej"),
    Column("role", "Rolle", ("role",), False,
           gettext_lazy("deltager (default), partner or oplægsholder."), "deltager"),
    Column("contact_name", "Kontaktperson", ("contact person", "contact"), False,
           gettext_lazy("Personal data: a work contact at the participant; only the "
                        "secretariat and the office see it."), ""),
    Column("contact_email", "E-mail", ("email", "mail"), False,
           gettext_lazy("The contact person's work email."), ""),
    Column("contact_phone", "Telefon", ("tlf.", "phone"), False,
           gettext_lazy("The contact person's work phone."), ""),
)  # fmt: skip
BY_KEY = {column.key: column for column in COLUMNS}
HEADER_KEYS = {
    name: column.key
    for column in COLUMNS
    for name in (column.header.lower(), column.key, *column.aliases)
}
ACTIVITY_FIELDS = ("activity_id", "activity", "activity_kind", "date", "held_in", "green",
                   "international")  # fmt: skip
PARTICIPANT_FIELDS = ("participant_kind", "cvr", "p_number", "name", "address", "postal_code",
                      "municipality_code", "employees", "industry",
                      "sole_proprietor")  # fmt: skip
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")

ACTIVITY_KINDS = {
    "netværksmøde": ActivityKind.NETWORK, "netvaerksmoede": ActivityKind.NETWORK,
    "network meeting": ActivityKind.NETWORK, "kursus": ActivityKind.COURSE,
    "course": ActivityKind.COURSE, "innovationsprojekt": ActivityKind.INNOVATION,
    "innovation project": ActivityKind.INNOVATION, "matchmaking": ActivityKind.MATCHMAKING,
    "international delegation": ActivityKind.DELEGATION, "delegation": ActivityKind.DELEGATION,
    "andet": ActivityKind.OTHER, "other": ActivityKind.OTHER,
}  # fmt: skip
PARTICIPANT_KINDS = {
    "": ParticipantKind.COMPANY, "virksomhed": ParticipantKind.COMPANY,
    "company": ParticipantKind.COMPANY, "videninstitution": ParticipantKind.KNOWLEDGE,
    "knowledge institution": ParticipantKind.KNOWLEDGE, "knowledge": ParticipantKind.KNOWLEDGE,
    "offentlig aktør": ParticipantKind.PUBLIC, "offentlig": ParticipantKind.PUBLIC,
    "public": ParticipantKind.PUBLIC,
}  # fmt: skip
ROLES = {
    "": ParticipationRole.PARTICIPANT, "deltager": ParticipationRole.PARTICIPANT,
    "participant": ParticipationRole.PARTICIPANT, "partner": ParticipationRole.PARTNER,
    "oplægsholder": ParticipationRole.SPEAKER, "speaker": ParticipationRole.SPEAKER,
}  # fmt: skip
YES = {"ja", "j", "x", "1", "yes", "y", "true", "sand"}
NO = {"nej", "n", "0", "no", "false", "falsk"}
# The answers as files usually write them (trimmed, lower case), looked up before any parsing.
YES_NO_EXACT: dict[str, bool | None] = {"": None, **dict.fromkeys(YES, True),
                                        **dict.fromkeys(NO, False)}  # fmt: skip
EMPLOYEE_BANDS = frozenset(EmployeeBand.values)


def max_length(model: type[models.Model], name: str) -> int:
    """The most characters the model's field holds (a text field always has a limit here)."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    assert length is not None  # noqa: S101
    return int(length)


# The most characters each free-text column may hold: the length of the field it is
# stored in. Longer text is refused with the limit named, never cut.
TEXT_LIMITS: dict[str, int] = {
    "activity_id": max_length(Activity, "external_id"),
    "activity": max_length(Activity, "title"),
    "name": max_length(Participant, "name"),
    "address": max_length(Participant, "address"),
    "contact_name": max_length(ContactPerson, "name"),
    "contact_email": max_length(ContactPerson, "email"),
    "contact_phone": max_length(ContactPerson, "phone"),
}
# Activities are registered from this year up to the year after the current one: an
# earlier or later date is a typing error (0024 for 2024), never a fact.
FIRST_ACTIVITY_YEAR = 2000
SHOWN_VALUE = 200  # characters of a cell quoted in a problem; the rest is cut with "…"

ParticipantKey = tuple[str, str]  # ("cvr", "12345674") or ("name", "Roskilde Universitet")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row, column), what was there, and why."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """
        The problem as stored and shown: control characters written as escapes, long values cut.

        A NUL or an escape sequence quoted from a cell must neither break the
        database (PostgreSQL refuses NUL in text and JSON) nor reach a terminal.
        """
        value = self.value if len(self.value) <= SHOWN_VALUE else self.value[:SHOWN_VALUE] + "…"
        return {"row": self.row, "column": escape_controls(self.column),
                "value": escape_controls(value),
                "message": escape_controls(self.message)}  # fmt: skip


MAX_PROBLEMS = 1_000  # problems listed; the rest of a hopeless file's are only counted


class Problems(list[Problem]):
    """A file's problems: the first MAX_PROBLEMS are kept, the others only counted."""

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        super().__init__()
        self.unlisted = 0
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        if len(self) < MAX_PROBLEMS:
            super().append(problem)
        else:
            self.unlisted += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)


@dataclass
class ImportPlan:
    """What a file describes, checked; `problems` empty means it can be stored."""

    rows: int = 0
    sheet: str = ""
    notes: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    participants: dict[ParticipantKey, dict[str, Any]] = field(default_factory=dict)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[tuple[ParticipantKey, str], dict[str, str]] = field(default_factory=dict)
    exporters: dict[tuple[ParticipantKey, int], bool] = field(default_factory=dict)
    participations: dict[tuple[str, ParticipantKey], str] = field(default_factory=dict)
    participant_rows: dict[ParticipantKey, int] = field(default_factory=dict)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_errors(values: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """
    [(column key, message)] for each text with a control character or over its column's limit.

    Control characters (a NUL, a terminal escape, a line break inside a cell) have
    no place in a name, an id or an address: they break exports and terminals.
    """
    errors: list[tuple[str, str]] = []
    for key, text in values:
        control = first_control(text)
        if control is not None:
            errors.append(
                (
                    key,
                    _(
                        "the text holds a control character (%(char)s) at "
                        "character %(position)s; remove it"
                    )
                    % {"char": control[1], "position": group_thousands(control[0])},
                )
            )
            continue
        limit = TEXT_LIMITS.get(key)
        if limit is not None and len(text) > limit:
            errors.append(
                (
                    key,
                    _("the text has %(length)s characters; at most %(limit)s fit")
                    % {"length": group_thousands(len(text)), "limit": group_thousands(limit)},
                )
            )
    return errors  # fmt: skip


def _first_per_column(errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first problem of each column: a text refused for a control character says enough."""
    first: dict[str, str] = {}
    for key, message in errors:
        first.setdefault(key, message)
    return list(first.items())


def _yes_no(text: str) -> bool | None:
    if text in YES_NO_EXACT:
        return YES_NO_EXACT[text]
    lowered = text.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    if not lowered:
        return None
    raise ValueError(_("'%(value)s' is not ja or nej") % {"value": text})


class RowChecker:
    """Checks the parts of a row; each distinct part is checked once (files repeat them)."""

    def __init__(self, *, basis: str) -> None:
        municipalities = list(Municipality.objects.only("pk", "code", "name"))
        self.registered = {m.code: m.pk for m in municipalities}
        self.by_name = {m.name.lower(): m.pk for m in municipalities}
        self.known = known_municipality_codes(self.registered)
        self.basis = basis
        today = timezone.localdate()
        self.first_day = date(FIRST_ACTIVITY_YEAR, 1, 1)
        self.last_day = date(today.year + 1, 12, 31)
        self._participants: dict[tuple[str, ...], tuple[ParticipantKey, dict[str, Any]] | str] = {}
        self._activities: dict[tuple[str, ...], dict[str, Any] | list[tuple[str, str]]] = {}

    def activity(self, raw: tuple[str, ...]) -> dict[str, Any] | list[tuple[str, str]]:
        """The activity's values, or [(column key, message)] for what is wrong."""
        cached = self._activities.get(raw)
        if cached is None:
            cached = self._activities[raw] = self._check_activity(*raw)
        return cached

    def _check_activity(
        self, external_id: str, title: str, kind: str, held: str, held_in: str, green: str,
        international: str,
    ) -> dict[str, Any] | list[tuple[str, str]]:  # fmt: skip
        errors = text_errors((("activity_id", external_id), ("activity", title),
                              ("activity_kind", kind), ("held_in", held_in)))  # fmt: skip
        if not external_id:
            errors.append(("activity_id", _("the activity id is missing")))
        if not title:
            errors.append(("activity", _("the activity's title is missing")))
        activity_kind = ACTIVITY_KINDS.get(kind.strip().lower())
        if activity_kind is None:
            errors.append(("activity_kind", _("unknown activity type; use one of: %(kinds)s")
                           % {"kinds": BY_KEY["activity_kind"].help}))  # fmt: skip
        held_on: date | None = None
        try:
            held_on = parse_date_da(held)
        except ValueError:
            errors.append(("date", _("not a date (write 31-12-2024 or 2024-12-31)")))
        if held_on is not None and not self.first_day <= held_on <= self.last_day:
            errors.append(("date", _("the date is outside %(first)s to %(last)s: activities "
                                     "are registered from %(year)s up to next year (is the year "
                                     "mistyped?)")
                           % {"first": format_date_numeric(self.first_day),
                              "last": format_date_numeric(self.last_day),
                              "year": FIRST_ACTIVITY_YEAR}))  # fmt: skip
        municipality_id = None
        if held_in.strip():
            text = held_in.strip()
            municipality_id = self.registered.get(text.zfill(3)) if is_digits(text) else None
            municipality_id = municipality_id or self.by_name.get(text.lower())
            if municipality_id is None:
                errors.append(("held_in", _("not a municipality of the region (code or name)")))
        flags = {}
        for key, text in (("green", green), ("international", international)):
            try:
                flags[key] = bool(_yes_no(text))
            except ValueError as error:
                errors.append((key, str(error)))
        if errors:
            return _first_per_column(errors)
        return {"title": title, "kind": activity_kind, "held_on": held_on,
                "municipality_id": municipality_id, "basis": self.basis, **flags}  # fmt: skip

    def participant(
        self, raw: tuple[str, ...]
    ) -> tuple[ParticipantKey, dict[str, Any]] | list[tuple[str, str]]:
        cached = self._participants.get(raw)
        if cached is None:
            cached = self._participants[raw] = self._check_participant(*raw)  # type: ignore[assignment]
        return cached  # type: ignore[return-value]

    def _check_participant(
        self, kind_text: str, cvr_text: str, p_number: str, name: str, address: str,
        postal_code: str, municipality_code: str, employees: str, industry: str,
        sole_text: str,
    ) -> tuple[ParticipantKey, dict[str, Any]] | list[tuple[str, str]]:  # fmt: skip
        errors = text_errors(zip(PARTICIPANT_FIELDS, (
            kind_text, cvr_text, p_number, name, address, postal_code, municipality_code,
            employees, industry, sole_text), strict=True))  # fmt: skip
        kind = PARTICIPANT_KINDS.get(kind_text.strip().lower())
        if kind is None:
            errors.append(("participant_kind", _("unknown participant type; use one of: %(k)s")
                           % {"k": BY_KEY["participant_kind"].help}))  # fmt: skip
        cvr = None
        if cvr_text:
            try:
                cvr = cvr_clean(cvr_text)
            except ValueError as error:
                errors.append(("cvr", str(error)))
        elif kind == ParticipantKind.COMPANY:
            errors.append(("cvr", _("a company must have a CVR number")))
        if not name:
            errors.append(("name", _("the name is missing")))
        band = employees.replace("–", "-").replace(" ", "")
        if band and band not in EMPLOYEE_BANDS:
            errors.append(("employees", _("use one of 0-9, 10-49, 50-249, 250+")))
        if p_number and not (is_digits(p_number) and len(p_number) == 10):
            errors.append(("p_number", _("a P-number has 10 digits")))
        if industry and not (is_digits(industry) and len(industry) <= 6):
            errors.append(("industry", _("an industry code has up to 6 digits")))
        if postal_code and not (is_digits(postal_code) and len(postal_code) == 4):
            errors.append(("postal_code", _("a postal code has 4 digits")))
        sole = None
        try:
            sole = _yes_no(sole_text)
        except ValueError as error:
            errors.append(("sole_proprietor", str(error)))
        if sole and kind not in (None, ParticipantKind.COMPANY):
            errors.append(("sole_proprietor", _("only a company can be a sole proprietorship")))
        code = municipality_code.strip()
        if code and not (is_digits(code) and len(code) <= 3):
            errors.append(("municipality_code", _("a municipality code has 3 digits")))
        placement = None
        if not {"postal_code", "municipality_code"} & {key for key, _message in errors}:
            try:
                placement = place(
                    municipality_code=municipality_code, postal_code=postal_code,
                    index=postal_areas(), known_codes=self.known,
                )  # fmt: skip
            except PlacementError as error:
                column = "municipality_code" if code else "postal_code"
                errors.append((column, str(error)))
        if errors:
            return _first_per_column(errors)
        assert placement is not None  # noqa: S101
        key: ParticipantKey = ("cvr", cvr) if cvr else ("name", name)
        return key, {
            "kind": kind, "cvr": cvr, "p_number": p_number, "name": name,
            "address": address, "postal_code": postal_code,
            "municipality_code": placement.municipality_code,
            "municipality_id": self.registered.get(placement.municipality_code),
            "municipality_uncertain": placement.uncertain, "employee_band": band,
            "industry_code": industry, "sole_proprietor": sole, "basis": self.basis,
        }  # fmt: skip


def _contact(
    name: str, email: str, phone: str
) -> tuple[str, dict[str, str]] | list[tuple[str, str]] | None:
    if not (name or email or phone):
        return None
    errors = text_errors((("contact_name", name), ("contact_email", email),
                          ("contact_phone", phone)))  # fmt: skip
    if not name:
        errors.append(("contact_name", _("a contact person needs a name")))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(("contact_email", _("not an email address")))
    if phone and not all(c in "0123456789 +-()" for c in phone):
        errors.append(("contact_phone", _("a phone number has only digits, spaces and +")))
    if errors:
        return _first_per_column(errors)
    key = email.lower() if email else name.lower()
    return key, {"name": name, "email": email, "phone": phone}


def _header_problems(table: Table) -> tuple[dict[str, str], list[Problem]]:
    """The file's header names mapped to column keys, and every problem with the header."""
    problems = []
    mapping: dict[str, str] = {}
    for raw, name in zip(table.raw_header, table.header, strict=True):
        key = HEADER_KEYS.get(name)
        if key is None:
            problems.append(
                Problem(
                    1,
                    raw,
                    raw,
                    _("unknown column; the template's columns are: %(columns)s")
                    % {"columns": _column_list()},
                )
            )
        elif key in mapping.values():
            problems.append(Problem(1, raw, raw, _("the column appears twice")))
        else:
            mapping[name] = key
    for column in COLUMNS:
        if column.required and column.key not in mapping.values():
            problems.append(Problem(1, column.header, "", _("the column is missing")))
    return mapping, problems


def _column_list() -> str:
    return ", ".join(column.header for column in COLUMNS)


class _Layout:
    """
    Where each template column is in a row of the file.

    A column the file lacks is appended to every row as "" (in place), so
    every part of a row is picked by one `itemgetter`, without a dict per row.
    """

    def __init__(self, table: Table, mapping: dict[str, str]) -> None:
        width = len(table.header)
        self.index = {mapping[name]: i for i, name in enumerate(table.header) if name in mapping}
        absent = [column.key for column in COLUMNS if column.key not in self.index]
        for offset, key in enumerate(absent):
            self.index[key] = width + offset
        if absent:
            padding = [""] * len(absent)
            for _number, cells in table.rows:
                cells.extend(padding)
        self.activity = itemgetter(*(self.index[key] for key in ACTIVITY_FIELDS))
        self.participant = itemgetter(*(self.index[key] for key in PARTICIPANT_FIELDS))
        self.contact = itemgetter(*(self.index[key] for key in CONTACT_FIELDS))
        self.activity_id = self.index["activity_id"]
        self.name = self.index["name"]
        self.cvr = self.index["cvr"]
        self.role = self.index["role"]
        self.exporter = self.index["exporter"]
        self.example_names: dict[str, bool] = {}


def check_file(
    data: bytes, *, basis: str = Basis.FACT, progress: Progress | None = None
) -> ImportPlan:
    """
    Read and check a participant file; nothing is stored.

    Every problem is listed (row, column, value, message); a value repeated
    on many rows is checked once. Two rows that give one participant or one
    activity different values are a problem, as is the same participant twice
    in one activity.
    """
    plan = ImportPlan()
    try:
        table = read_table(data, prefer_sheet=SHEET_NAME)
    except TableError as error:
        plan.problems.append(Problem(0, "", "", str(error)))
        return plan
    plan.sheet = escape_controls(table.sheet)
    if table.other_sheets:
        plan.notes.append(
            _("The sheet '%(sheet)s' was read; the other sheets (%(others)s) were not.")
            % {"sheet": plan.sheet, "others": escape_controls(", ".join(table.other_sheets))}
        )
    mapping, header_problems = _header_problems(table)
    plan.problems.extend(header_problems)
    if plan.problems:
        return plan
    headers = {key: raw for raw, name in zip(table.raw_header, table.header, strict=True)
               if (key := mapping.get(name))}  # fmt: skip
    for formula in table.formulas:
        message = _("the cell holds a formula; paste values instead")
        plan.problems.append(Problem(formula.row, formula.column, formula.text, message))
    if plan.problems:
        return plan  # a formula's cell holds no value to check
    plan.rows = len(table.rows)
    if not table.rows:
        plan.problems.append(Problem(0, "", "", _("The file has a header but no rows.")))
        return plan
    checker = RowChecker(basis=basis)
    first_row = _FirstRows(participant=plan.participant_rows)
    total = plan.rows
    layout = _Layout(table, mapping)
    for index, (number, cells) in enumerate(table.rows):
        if progress is not None and index % 5000 == 0:
            progress("check", index, total)
        _check_row(plan, checker, number, cells, layout, headers, first_row)
    if progress is not None:
        progress("check", total, total)
    _note_outside_region(plan)
    return plan


def _note_outside_region(plan: ImportPlan) -> None:
    """Say which participants belong to municipalities outside Region Sjælland."""
    codes = sorted({values["municipality_code"] for values in plan.participants.values()
                    if values["municipality_id"] is None})  # fmt: skip
    if not codes:
        return
    count = sum(1 for values in plan.participants.values() if values["municipality_id"] is None)
    plan.notes.append(
        ngettext(
            "%(n)s participant belongs to a municipality outside Region Sjælland (municipality "
            "code %(codes)s); it is stored with its code and counts in no municipality of the "
            "region.",
            "%(n)s participants belong to municipalities outside Region Sjælland (municipality "
            "codes %(codes)s); they are stored with their codes and count in no municipality "
            "of the region.",
            count,
        )
        % {"n": group_thousands(count), "codes": ", ".join(codes)}
    )


EXAMPLE_NAME = BY_KEY["name"].example.lower()
EXAMPLE_KEY = (BY_KEY["activity_id"].example, BY_KEY["cvr"].example)


def _is_example(cells: list[str], layout: _Layout) -> bool:
    """The template's example row: its name, or its activity id together with its CVR."""
    name = cells[layout.name]
    example = layout.example_names.get(name)
    if example is None:  # each distinct name is compared once
        example = layout.example_names[name] = name.strip().lower() == EXAMPLE_NAME
    return example or (cells[layout.activity_id], cells[layout.cvr]) == EXAMPLE_KEY


@dataclass
class _FirstRows:
    """The row where each activity, participant and pair was first seen (for messages)."""

    activity: dict[str, int] = field(default_factory=dict)
    participant: dict[ParticipantKey, int] = field(default_factory=dict)
    pair: dict[tuple[str, ParticipantKey], int] = field(default_factory=dict)


# The template column each checked value comes from (for messages naming the column).
ACTIVITY_COLUMNS = {"title": "activity", "kind": "activity_kind", "held_on": "date",
                    "municipality_id": "held_in", "green": "green",
                    "international": "international"}  # fmt: skip
PARTICIPANT_COLUMNS = {"kind": "participant_kind", "cvr": "cvr", "p_number": "p_number",
                       "name": "name", "address": "address", "postal_code": "postal_code",
                       "municipality_code": "municipality_code",
                       "municipality_id": "municipality_code",
                       "municipality_uncertain": "postal_code", "employee_band": "employees",
                       "industry_code": "industry"}  # fmt: skip


def _differing(
    old: dict[str, Any], new: dict[str, Any], columns: dict[str, str], fallback: str
) -> list[str]:
    """The template columns (keys) whose values differ between two checked parts of rows."""
    found = [columns[name] for name in columns if old.get(name) != new.get(name)]
    return list(dict.fromkeys(found)) or [fallback]


def _headers(keys: list[str], headers: dict[str, str]) -> str:
    return ", ".join(f"'{headers.get(key, BY_KEY[key].header)}'" for key in keys)


def _check_row(
    plan: ImportPlan,
    checker: RowChecker,
    number: int,
    cells: list[str],
    layout: _Layout,
    headers: dict[str, str],
    first_row: _FirstRows,
) -> None:
    def problem(key: str, message: str) -> None:
        plan.problems.append(Problem(number, headers.get(key, BY_KEY[key].header),
                                     cells[layout.index[key]], message))  # fmt: skip

    if _is_example(cells, layout):
        problem("name", _("this is the template's example row: the example row must be deleted"))
        return
    activity = checker.activity(layout.activity(cells))
    participant = checker.participant(layout.participant(cells))
    contact = _contact(*layout.contact(cells))
    role_text = cells[layout.role]
    role = ROLES.get(role_text) if role_text in ROLES else ROLES.get(role_text.lower())
    exporter: bool | None = None
    try:
        exporter = _yes_no(cells[layout.exporter])
    except ValueError as error:
        problem("exporter", str(error))
    if role is None:
        problem("role", _("unknown role; use deltager, partner or oplægsholder"))
    if isinstance(activity, list) or isinstance(participant, list) or isinstance(contact, list):
        for part in (activity, participant, contact):
            if isinstance(part, list):
                for column, message in part:
                    problem(column, message)
        return
    external_id = cells[layout.activity_id]
    key, values = participant
    seen = plan.activities.setdefault(external_id, activity)
    if seen is not activity and seen != activity:
        columns = _differing(seen, activity, ACTIVITY_COLUMNS, "activity_id")
        problem(columns[0], _("the activity %(id)s has another %(columns)s on row %(row)s")
                % {"id": external_id, "columns": _headers(columns, headers),
                   "row": group_thousands(first_row.activity[external_id])})  # fmt: skip
        return
    first_row.activity.setdefault(external_id, number)
    seen_participant = plan.participants.setdefault(key, values)
    if seen_participant is not values and seen_participant != values:
        columns = _differing(seen_participant, values, PARTICIPANT_COLUMNS, "name")
        problem(columns[0], _("the participant has another %(columns)s on row %(row)s")
                % {"columns": _headers(columns, headers),
                   "row": group_thousands(first_row.participant[key])})  # fmt: skip
        return
    first_row.participant.setdefault(key, number)
    pair = (external_id, key)
    if pair in plan.participations:
        problem("activity_id", _("row %(row)s has the same participant in the same activity")
                % {"row": group_thousands(first_row.pair[pair])})  # fmt: skip
        return
    first_row.pair[pair] = number
    plan.participations[pair] = role or ParticipationRole.PARTICIPANT
    if exporter is not None:
        year_key = (key, activity["held_on"].year)
        if plan.exporters.setdefault(year_key, exporter) != exporter:
            problem("exporter", _("the participant's exporter status for %(year)s differs "
                                  "between rows") % {"year": year_key[1]})  # fmt: skip
    if contact is not None:
        contact_key, contact_values = contact
        plan.contacts[(key, contact_key)] = contact_values


# --- comparing a plan with the database -------------------------------------------------


@dataclass
class Changes:
    """What storing a plan would do: rows to create, and (row, new values) to change."""

    participants_new: list[tuple[ParticipantKey, dict[str, Any]]] = field(default_factory=list)
    participants_changed: list[tuple[Participant, dict[str, Any]]] = field(default_factory=list)
    participant_ids: dict[ParticipantKey, int] = field(default_factory=dict)
    activities_new: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    activities_changed: list[tuple[Activity, dict[str, Any]]] = field(default_factory=list)
    activity_ids: dict[str, int] = field(default_factory=dict)
    existing_pairs: set[tuple[int, int]] = field(default_factory=set)
    participations_new: int = 0
    participations_existing: int = 0
    exporters_new: list[tuple[ParticipantKey, int, bool]] = field(default_factory=list)
    exporters_changed: list[tuple[ExporterYear, bool]] = field(default_factory=list)
    contacts_new: list[tuple[ParticipantKey, dict[str, str]]] = field(default_factory=list)
    contacts_changed: list[tuple[ContactPerson, dict[str, str]]] = field(default_factory=list)
    differences: list[dict[str, Any]] = field(default_factory=list)
    # Participants of another owner the file describes otherwise: {"values", "exporters"}
    # as the file gives them, kept as the office's observation, never written to the row.
    observations: dict[ParticipantKey, dict[str, Any]] = field(default_factory=dict)
    owners: dict[ParticipantKey, int | None] = field(default_factory=dict)
    registered: dict[ParticipantKey, Participant] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        return {
            "participants_new": len(self.participants_new),
            "participants_changed": len(self.participants_changed),
            "activities_new": len(self.activities_new),
            "activities_changed": len(self.activities_changed),
            "participations_new": self.participations_new,
            "participations_existing": self.participations_existing,
            "exporters_new": len(self.exporters_new),
            "exporters_changed": len(self.exporters_changed),
            "contacts_new": len(self.contacts_new),
            "contacts_changed": len(self.contacts_changed),
            "observations": len(self.observations),
        }

    def observation(self, key: ParticipantKey) -> dict[str, Any]:
        return self.observations.setdefault(key, {"values": {}, "exporters": {}})


def chunks(items: list[Any]) -> Iterable[list[Any]]:
    """`items` in lists of CHUNK, for IN (...) queries."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _changed(row: Any, values: dict[str, Any], *, keep: tuple[str, ...]) -> dict[str, Any]:
    """The values that differ from the row; an empty file value keeps a field in `keep`."""
    return {
        name: value
        for name, value in values.items()
        if getattr(row, name) != value and not (name in keep and value in ("", None))
    }


# The master fields another office's file is compared on (the rest follow from them),
# and the template column of each.
OBSERVED = ("kind", "p_number", "name", "address", "postal_code", "municipality_code",
            "employee_band", "industry_code", "sole_proprietor")  # fmt: skip
OBSERVED_COLUMNS = {**PARTICIPANT_COLUMNS, "sole_proprietor": "sole_proprietor"}

# A registered participant's name, address or municipality: a file that gives other values
# is a difference the user must accept before it is stored (the template's column keys).
IDENTITY = {"name": "name", "address": "address", "postal_code": "postal_code",
            "municipality_code": "municipality_code"}  # fmt: skip


def _difference(
    row: Participant,
    differing: dict[str, Any],
    file_row: int,
    names: dict[str, str],
    *,
    fields: Iterable[str] = IDENTITY,
) -> dict[str, Any]:
    """One registered participant the file would change: each field, registered → in the file."""

    def shown(name: str, value: Any) -> str:
        if name == "municipality_code" and value:
            return f"{names.get(value, value)} ({value})"
        if isinstance(value, bool):
            return "ja" if value else "nej"
        return str(value or "")

    return {
        "row": file_row,
        "participant": row.name,
        "cvr": row.cvr or "",
        "changes": [
            {"column": BY_KEY[OBSERVED_COLUMNS[name]].header,
             "old": shown(name, getattr(row, name)), "new": shown(name, differing[name])}
            for name in fields
            if name in differing
        ],
    }  # fmt: skip


def plan_changes(plan: ImportPlan, *, office: ClusterOffice) -> Changes:
    """
    Compare `plan` with the database: what is new, what changes, what is already there.

    An office changes only its own data: a participant's master data only if the
    office registered it (`Participant.office`), an exporter status only if one of
    its batches stored it. Where the file differs from another owner's values, the
    difference is listed as kept (`"kept": True`) and stored as the office's
    observation; the registered row does not change.
    """
    changes = Changes()
    _plan_participants(plan, changes, office)
    _plan_activities(plan, changes, office)
    _plan_participations(plan, changes)
    _plan_exporters(plan, changes, office)
    _plan_contacts(plan, changes, office)
    _plan_observations(plan, changes)
    return changes


PARTICIPANT_KEEP = ("p_number", "address", "postal_code", "employee_band", "industry_code",
                    "sole_proprietor")  # fmt: skip


def _registered_participants(plan: ImportPlan) -> dict[ParticipantKey, Participant]:
    """The registered participants the plan names, by CVR number or (without one) by name."""
    cvrs = [key[1] for key in plan.participants if key[0] == "cvr"]
    names = [key[1] for key in plan.participants if key[0] == "name"]
    existing: dict[ParticipantKey, Participant] = {}
    for chunk in chunks(cvrs):
        existing.update(
            {("cvr", p.cvr or ""): p for p in Participant.objects.filter(cvr__in=chunk)}
        )
    for chunk in chunks(names):
        existing.update(
            {("name", p.name): p for p in Participant.objects.filter(cvr=None, name__in=chunk)}
        )
    return existing


def _plan_participants(plan: ImportPlan, changes: Changes, office: ClusterOffice) -> None:
    """New participants, changed ones, the differences the user must accept, and the kept."""
    existing = _registered_participants(plan)
    municipality_names: dict[str, str] | None = None
    for key, values in plan.participants.items():
        values = {k: v for k, v in values.items() if k != "cvr"}
        row = existing.get(key)
        if row is None:
            # An empty "Enkeltmandsvirksomhed" cell registers a new company as not one.
            values["sole_proprietor"] = bool(values.get("sole_proprietor"))
            changes.participants_new.append((key, values))
            continue
        changes.participant_ids[key] = row.pk
        changes.registered[key] = row
        if row.office_id != office.pk:
            changes.owners[key] = row.office_id
            observed = {name: values[name] for name in OBSERVED if name in values}
            if differing := _changed(row, observed, keep=PARTICIPANT_KEEP):
                changes.observation(key)["values"] = differing
            continue
        differing = _changed(row, values, keep=PARTICIPANT_KEEP)
        if not differing:
            continue
        changes.participants_changed.append((row, differing))
        if IDENTITY.keys() & differing.keys():
            if municipality_names is None:
                municipality_names = dict(Municipality.objects.values_list("code", "name"))
            file_row = plan.participant_rows.get(key, 0)
            changes.differences.append(_difference(row, differing, file_row, municipality_names))


def _plan_activities(plan: ImportPlan, changes: Changes, office: ClusterOffice) -> None:
    """New activities of the office and changed ones, matched by the office's own id."""
    activities = {
        a.external_id: a
        for chunk in chunks(list(plan.activities))
        for a in Activity.objects.filter(office=office, external_id__in=chunk)
    }
    for external_id, values in plan.activities.items():
        activity = activities.get(external_id)
        if activity is None:
            changes.activities_new.append((external_id, values))
            continue
        changes.activity_ids[external_id] = activity.pk
        if differing := _changed(activity, values, keep=()):
            changes.activities_changed.append((activity, differing))


def _plan_participations(plan: ImportPlan, changes: Changes) -> None:
    """Which participations are new and which are stored already (of the known activities)."""
    for chunk in chunks(list(changes.activity_ids.values())):
        changes.existing_pairs.update(
            ActivityParticipation.objects.filter(activity_id__in=chunk).values_list(
                "activity_id", "participant_id"
            )
        )
    for external_id, key in plan.participations:
        pair = (changes.activity_ids.get(external_id), changes.participant_ids.get(key))
        if pair in changes.existing_pairs:
            changes.participations_existing += 1
        else:
            changes.participations_new += 1


def _plan_exporters(plan: ImportPlan, changes: Changes, office: ClusterOffice) -> None:
    """New exporter statuses (a participant per year), changed ones, and other offices'."""
    rows: dict[tuple[int, int], ExporterYear] = {}
    for chunk in chunks(list(changes.participant_ids.values())):
        rows.update(
            {(e.participant_id, e.year): e
             for e in ExporterYear.objects.filter(participant_id__in=chunk)}
        )  # fmt: skip
    owner: dict[int | None, int | None] = {None: None}
    for (key, year), exporter in plan.exporters.items():
        found = rows.get((changes.participant_ids.get(key, 0), year))
        if found is None:
            changes.exporters_new.append((key, year, exporter))
        elif found.exporter != exporter:
            if found.batch_id not in owner:  # the offices of the batches, asked once
                batch_ids = {e.batch_id for e in rows.values()} - owner.keys()
                owner.update(
                    ImportBatch.objects.filter(pk__in=batch_ids).values_list("pk", "office_id")
                )
            if owner.get(found.batch_id) == office.pk:
                changes.exporters_changed.append((found, exporter))
            else:
                changes.owners.setdefault(key, owner.get(found.batch_id))
                changes.observation(key)["exporters"][str(year)] = exporter


def _plan_contacts(plan: ImportPlan, changes: Changes, office: ClusterOffice) -> None:
    """New contact persons of the office and changed ones, matched by email (or name)."""
    rows: dict[tuple[int, str], ContactPerson] = {}
    for chunk in chunks(list(changes.participant_ids.values())):
        rows.update(
            {(c.participant_id, c.email.lower() or c.name.lower()): c
             for c in ContactPerson.objects.filter(participant_id__in=chunk, office=office)}
        )  # fmt: skip
    for (key, contact_key), values in plan.contacts.items():
        contact = rows.get((changes.participant_ids.get(key, 0), contact_key))
        if contact is None:
            changes.contacts_new.append((key, values))
        elif differing := _changed(contact, values, keep=("phone",)):
            changes.contacts_changed.append((contact, differing))


def _plan_observations(plan: ImportPlan, changes: Changes) -> None:
    """The kept differences, listed beside the accepted ones: registered → in the file."""
    if not changes.observations:
        return
    names = dict(Municipality.objects.values_list("code", "name"))
    offices = dict(
        ClusterOffice.objects.filter(pk__in=set(changes.owners.values()) - {None}).values_list(
            "pk", "name"
        )
    )
    kept = []
    for key, observed in changes.observations.items():
        row = changes.registered[key]
        entry = _difference(row, observed["values"], plan.participant_rows.get(key, 0), names,
                            fields=OBSERVED)  # fmt: skip
        entry["changes"].extend(
            {"column": f"{BY_KEY['exporter'].header} {year}",
             "old": "nej" if exporter else "ja", "new": "ja" if exporter else "nej"}
            for year, exporter in sorted(observed["exporters"].items())
        )  # fmt: skip
        owner = changes.owners.get(key)
        entry["kept"] = True
        entry["owner"] = offices.get(owner, "") if owner is not None else ""
        kept.append(entry)
    changes.differences = sorted([*changes.differences, *kept], key=itemgetter("row"))
