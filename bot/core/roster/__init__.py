"""Who is who: the unit tree, people, their chat accounts, spreadsheet import and the audit trail."""
