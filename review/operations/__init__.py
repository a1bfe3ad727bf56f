"""Running the tracker: backup, restore, moving between engines and the health check."""
