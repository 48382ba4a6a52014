"""
Reads of agreements and allocations, by concern:

- `inputs`: agreements, their years, and what the engine computes each year from;
- `tables`: results as typed rows and tables, cached per run and per input fingerprint;
- `scenarios`: the agreement's terms per year, scenarios, population-change effects;
- `quality`: what is missing or assumed, and where to fix it.
"""

from klynge.financing.selectors.inputs import (
    AgreementYearError,
    AllocationInputs,
    agreement_for_year,
    agreement_list,
    allocation_inputs,
    check_year,
    current_budget_year,
    financed_offices,
    inputs_by_year,
)
from klynge.financing.selectors.quality import QualityItem, data_quality_list
from klynge.financing.selectors.scenarios import (
    AgreementYearTerms,
    PopulationEffect,
    ScenarioResult,
    agreement_year_terms,
    population_change_effects,
    scenario_compute,
)
from klynge.financing.selectors.tables import (
    CACHE_ALIAS,
    AllocationTable,
    Computation,
    CorrectionPreview,
    CorrectionRow,
    MatrixRow,
    ShareRow,
    YearAllocation,
    allocation_compute,
    allocation_for_year,
    allocation_lines,
    allocation_table,
    approval_checklist,
    approved_allocation_for_year,
    correction_preview,
    run_approved,
    run_line_values,
    run_lines,
    run_population,
    year_allocation,
    year_runs,
    years_shown,
)

__all__ = [
    "CACHE_ALIAS",
    "AgreementYearError", "AgreementYearTerms", "AllocationInputs", "AllocationTable",
    "Computation", "CorrectionPreview", "CorrectionRow", "MatrixRow", "PopulationEffect",
    "QualityItem", "ScenarioResult", "ShareRow", "YearAllocation", "agreement_for_year",
    "agreement_list", "agreement_year_terms", "allocation_compute", "allocation_for_year",
    "allocation_inputs", "allocation_lines", "allocation_table", "approval_checklist",
    "approved_allocation_for_year",
    "check_year", "correction_preview", "current_budget_year", "data_quality_list",
    "financed_offices", "inputs_by_year", "population_change_effects",
    "run_approved", "run_line_values", "run_lines", "run_population", "scenario_compute",
    "year_allocation",
    "year_runs", "years_shown",
]  # fmt: skip
