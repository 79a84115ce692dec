-- Issue 14: the current documents are those neither superseded by a newer version of their file
-- nor removed (their file is no longer in the input folder). Every analytical view reads them:
-- a removed document's rows stay in the tables, marked by documents.removed_in_run, and out of
-- the views, until its file is back.
create or replace view current_documents as
with final as (
    select * from documents where superseded_by is null and removed_in_run is null
)
select * from final;

-- As in 002, over the records of current documents only.
create or replace view headline_targets as
with headline as (
    select t.*
    from targets t
    where t.indicator_code is not null and t.kind = 'target' and not t.missing_value
      and t.doc_id in (select doc_id from current_documents)
),
ranked as (
    -- one row per region x year x indicator: the first statement in the document wins
    select *, row_number() over (partition by region, year, indicator_code order by doc_id, char_start) as rn
    from headline
),
final as (
    select region, year, indicator_code, indicator, metric, value, unit, qualifier, stretch_value,
           direction, commitment, source_name, doc_id, record_id, evidence
    from ranked where rn = 1
)
select * from final;
