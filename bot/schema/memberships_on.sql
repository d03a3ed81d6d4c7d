-- Migration "memberships-on" (see bot/store.py): the index memberships_on (roster.sql) starts with
-- person_id too and covers a person's unit on a day, so the narrower one it replaces goes.
DROP INDEX IF EXISTS memberships_person;
