"""csdata: analytics and data entry for a customer-service outsourcing company.

The engine lives here and imports without Streamlit (only `csdata.ui` imports it), so the CLI,
the tests and the pages all use the same warehouse, policy, metric catalog and query layer.
"""

__version__ = "0.1.0"
