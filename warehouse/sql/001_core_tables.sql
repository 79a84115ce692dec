-- The warehouse contract: later migrations may add columns and tables, never rename or drop these.
create table if not exists documents (
    doc_id varchar primary key,          -- sha256 hex of the raw bytes
    source_name varchar not null,        -- file name
    region varchar,
    year integer,                        -- plan year of the document
    doc_type varchar,                    -- work_report | key_tasks_notice | news_summary
    encoding varchar not null,
    encoding_confidence double,
    script varchar not null,             -- simplified | traditional (as the file was written)
    n_chars bigint not null,             -- characters of the normalized text
    delivered_on date,
    congress_term integer,
    session_no integer,
    year_source varchar,                 -- text | session (inferred from another session of the same congress)
    extractor_version varchar not null,
    superseded_by varchar,               -- doc_id of the newer version of the same file
    run_id varchar not null,
    ingested_at timestamp not null
);

create table if not exists document_texts (
    doc_id varchar primary key,
    text varchar not null                -- normalized text: every char_start/char_end points into it
);

create table if not exists targets (
    record_id varchar primary key,       -- stable across re-runs of the same file and extractor
    doc_id varchar not null,
    source_name varchar not null,
    region varchar,
    year integer,
    kind varchar not null,               -- target | achievement
    indicator varchar not null,
    indicator_code varchar,
    metric varchar not null,             -- growth | level | share | change | other
    value double,                        -- as written, in `unit`
    unit varchar not null,
    qualifier varchar not null,          -- '' when none
    stretch_value double,
    value_base double,                   -- value scaled to base_unit (万/亿/千 applied)
    base_unit varchar,
    missing_value boolean not null,
    evidence varchar not null,
    section varchar,
    direction varchar,                   -- up | down
    commitment varchar,                  -- hard | soft
    char_start bigint not null,
    char_end bigint not null,
    run_id varchar not null
);

create table if not exists quarantine (
    record_id varchar not null,
    doc_id varchar not null,
    source_name varchar,
    region varchar,
    year integer,
    kind varchar,
    indicator varchar,
    indicator_code varchar,
    metric varchar,
    value double,
    unit varchar,
    qualifier varchar,
    stretch_value double,
    value_base double,
    base_unit varchar,
    missing_value boolean,
    evidence varchar,
    section varchar,
    direction varchar,
    commitment varchar,
    char_start bigint,
    char_end bigint,
    expectation varchar not null,
    column_name varchar,
    reason varchar not null,
    run_id varchar not null
);

create table if not exists qualitative_targets (
    doc_id varchar not null,
    region varchar,
    year integer,
    indicator_code varchar not null,
    statement varchar not null,
    char_start bigint not null,
    run_id varchar not null
);

create table if not exists target_units (
    record_id varchar not null,
    unit_name varchar not null,
    role varchar not null                -- lead | partner
);

create table if not exists rejected_files (
    path varchar not null,
    doc_id varchar,
    reason varchar not null,             -- empty | binary | undecodable | not_chinese | unreadable
    detail varchar not null,
    run_id varchar not null
);

create table if not exists validation_results (
    run_id varchar not null,
    suite varchar not null,
    expectation varchar not null,
    column_name varchar,
    severity varchar not null,           -- structural | row | warning
    success boolean not null,
    unexpected_count bigint,
    element_count bigint,
    details varchar
);

create table if not exists runs (
    run_id varchar primary key,
    flow_run_id varchar,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,             -- running | completed | failed
    input_path varchar,
    n_files bigint,
    n_documents bigint,
    n_records bigint,
    n_loaded bigint,
    n_quarantined bigint,
    n_rejected bigint,
    versions varchar                     -- JSON: package and library versions
);
