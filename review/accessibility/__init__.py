"""Accessibility: the published accessibility statement (Public Sector Bodies Accessibility Regulations 2018)."""
