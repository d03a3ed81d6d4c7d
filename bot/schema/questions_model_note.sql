-- What happened with the optional language model for each question: that its draft was shown,
-- or why it was not (an invented date, a time-out, ...), for the officers' FAQ work.
ALTER TABLE questions ADD COLUMN model_note TEXT NOT NULL DEFAULT '';
