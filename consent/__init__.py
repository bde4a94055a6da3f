"""consent: shared-decision-making consent packets for revision and salvage surgery."""

__version__ = "0.1.0"
