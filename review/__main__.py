"""`python -m review ...`: the command-line interface."""
from review.cli import main

raise SystemExit(main())
