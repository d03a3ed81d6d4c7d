-- Migration "units-history" (see bot/store.py): validity dates on units, the unit an acknowledgement
-- was made in, the existing tree and roster as their first history rows, and the triggers that keep
-- unit_versions and memberships (bot/schema/roster.sql) in step with every write to units and people.
ALTER TABLE units ADD COLUMN valid_from TEXT;   -- ISO date; NULL: since before the records
ALTER TABLE units ADD COLUMN valid_until TEXT;  -- ISO date it stopped existing (exclusive); NULL: current
CREATE INDEX IF NOT EXISTS units_current ON units(valid_until, parent_id);

-- The unit the person belonged to when confirming. Not part of the row hash (the chain's canonical
-- form predates it); NULL on rows recorded before this migration, whose unit is read from memberships.
ALTER TABLE acks ADD COLUMN unit_id INTEGER;

INSERT INTO unit_versions (unit_id, name, parent_id) SELECT id, name, parent_id FROM units;
INSERT INTO memberships (person_id, unit_id) SELECT id, unit_id FROM people WHERE unit_id IS NOT NULL;

CREATE TRIGGER IF NOT EXISTS units_created AFTER INSERT ON units
BEGIN
    INSERT INTO unit_versions (unit_id, name, parent_id, valid_from, change_id)
    VALUES (NEW.id, NEW.name, NEW.parent_id, NEW.valid_from, (SELECT change_id FROM unit_change_context));
END;

CREATE TRIGGER IF NOT EXISTS units_changed AFTER UPDATE OF name, parent_id ON units
WHEN NEW.valid_until IS NULL AND (NEW.name IS NOT OLD.name OR NEW.parent_id IS NOT OLD.parent_id)
BEGIN
    UPDATE unit_versions
    SET valid_until = MAX(COALESCE(valid_from, ''),
                          COALESCE((SELECT effective FROM unit_change_context), date('now', '+7 hours')))
    WHERE unit_id = NEW.id AND valid_until IS NULL;
    INSERT INTO unit_versions (unit_id, name, parent_id, valid_from, change_id)
    VALUES (NEW.id, NEW.name, NEW.parent_id,
            COALESCE((SELECT effective FROM unit_change_context), date('now', '+7 hours')),
            (SELECT change_id FROM unit_change_context));
END;

CREATE TRIGGER IF NOT EXISTS units_closed AFTER UPDATE OF valid_until ON units
WHEN NEW.valid_until IS NOT NULL AND OLD.valid_until IS NULL
BEGIN
    UPDATE unit_versions SET valid_until = NEW.valid_until WHERE unit_id = NEW.id AND valid_until IS NULL;
END;

CREATE TRIGGER IF NOT EXISTS people_placed AFTER INSERT ON people
WHEN NEW.unit_id IS NOT NULL
BEGIN
    INSERT INTO memberships (person_id, unit_id, valid_from, change_id)
    VALUES (NEW.id, NEW.unit_id, (SELECT effective FROM unit_change_context),
            (SELECT change_id FROM unit_change_context));
END;

CREATE TRIGGER IF NOT EXISTS people_moved AFTER UPDATE OF unit_id ON people
WHEN NEW.unit_id IS NOT OLD.unit_id
BEGIN
    UPDATE memberships
    SET valid_until = MAX(COALESCE(valid_from, ''),
                          COALESCE((SELECT effective FROM unit_change_context), date('now', '+7 hours')))
    WHERE person_id = NEW.id AND valid_until IS NULL;
    INSERT INTO memberships (person_id, unit_id, valid_from, change_id)
    SELECT NEW.id, NEW.unit_id,
           COALESCE((SELECT effective FROM unit_change_context), date('now', '+7 hours')),
           (SELECT change_id FROM unit_change_context)
    WHERE NEW.unit_id IS NOT NULL;
END;
