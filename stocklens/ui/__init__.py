"""Streamlit layer: the only part of stocklens that imports Streamlit (besides pages/)."""
