"""stocklens: backlog, backorder and turnover KPIs from monthly ERP and shop exports."""
__version__ = "0.1.0"
