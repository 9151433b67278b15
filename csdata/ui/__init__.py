"""The pieces pages are built from: `csdata.ui` is the only package that imports streamlit.

- `core`: language, the warehouse and cached reads;
- `signin`: who is signed in, the sign-in form, the navigation and each page's guard;
- `datatable`: tables with their CSV and Excel downloads;
- `admin`: the pay widgets and the user form;
- `dashboard`, `filter_bar`, `kpi`, `panels`, `drilldown`, `sections`, `charts`: the dashboards;
- `forms`: the data-entry forms and the ticket follow-up; `importer`: the import flow;
- `policy_editor`: the Policy page's editor."""
