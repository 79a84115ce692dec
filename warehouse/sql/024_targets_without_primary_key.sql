-- targets without its primary key. DuckDB keeps a primary key's index (ART) in memory while a
-- transaction inserts into the table, and that index holds every record_id the warehouse has: on
-- this machine ~50 bytes a record, so the publish of a 1000 MB corpus (5.1 M records) needed more
-- than 256 MB, and one of ~4 GB (20 M records) failed to commit under the run's limit of 1 GB
-- ("failed to pin block"). Without it, inserting those 5 M or 20 M records under a limit of 256 MB
-- peaked at 332 and 349 MB of the process.
-- A record_id is still unique: it is a hash of its document's id and span, the publish deletes a
-- document's records before it loads them again, and db.publish_staged refuses a run that would
-- load a record_id twice. DuckDB cannot drop a constraint, so the table is rebuilt, its columns
-- in their order; views name the table, not its storage, and are unaffected.
create table targets_rebuilt (
    record_id varchar not null,
    doc_id varchar not null,
    source_name varchar not null,
    region varchar,
    year integer,
    kind varchar not null,
    indicator varchar not null,
    indicator_code varchar,
    metric varchar not null,
    value double,
    unit varchar not null,
    qualifier varchar not null,
    stretch_value double,
    value_base double,
    base_unit varchar,
    missing_value boolean not null,
    evidence varchar not null,
    section varchar,
    direction varchar,
    commitment varchar,
    char_start bigint not null,
    char_end bigint not null,
    run_id varchar not null,
    value_text varchar,
    period varchar,
    year_source varchar,
    source_path varchar
);
insert into targets_rebuilt by name select * from targets;
drop table targets;
alter table targets_rebuilt rename to targets;
