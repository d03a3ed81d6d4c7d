-- An officer closes an assignment (bot/core/evidence/assignment_changes.py): no more reminders,
-- off the cadres' lists; the ledger keeps its rows.
ALTER TABLE assignments ADD COLUMN closed_at TEXT;
