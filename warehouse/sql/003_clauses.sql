-- Every clause of every document with its span in the normalized text (document_texts.text),
-- its sentence and its section, so any record or statement can be shown in context.
create table if not exists clauses (
    doc_id varchar not null,
    char_start bigint not null,
    char_end bigint not null,
    sentence_start bigint not null,
    section varchar,
    section_kind varchar,                -- review | plan | other
    section_year integer,
    text varchar not null
);
