-- Current (not superseded) documents and what researchers query first.
create or replace view current_documents as
with final as (
    select * from documents where superseded_by is null
)
select * from final;

create or replace view headline_targets as
with headline as (
    select t.*
    from targets t
    where t.indicator_code is not null and t.kind = 'target' and not t.missing_value
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
