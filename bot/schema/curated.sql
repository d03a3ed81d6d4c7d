-- Answers written by the propaganda office for questions the bot could not answer. The bot gives
-- them (signed "Ban Tuyên giáo trả lời") the next time someone asks the same thing.
CREATE TABLE IF NOT EXISTS curated_answers (
    id           INTEGER PRIMARY KEY,
    question_id  INTEGER REFERENCES questions(id), -- the logged question it answers
    question     TEXT NOT NULL,
    question_key TEXT NOT NULL,            -- folded words of the question, sorted, for matching
    answer       TEXT NOT NULL,
    created_by   INTEGER REFERENCES people(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS curated_question ON curated_answers(question_id);
