"""From a folder of documents to a catalogue: text, sections, chunks and duties."""
