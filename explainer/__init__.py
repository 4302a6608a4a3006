"""Pipeline logic for the nanochat explainer."""
