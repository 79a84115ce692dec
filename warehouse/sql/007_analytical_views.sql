-- Analytical views over current (not superseded) documents. Column names are a contract (the HTML
-- report reads them): add columns, never rename or drop.

-- A target for year Y beside what the region reported achieving in Y (usually in Y+1's report).
-- One row per target record that has a comparable full-year achievement:
--   * same region, year and metric; matched by indicator_code when both records have one (units
--     then need only the same base unit: 6万人 vs 61000人), else by the indicator text without its
--     whole-jurisdiction prefix (全市…), the same unit, and the figure after the indicator's words;
--   * growth and change figures are signed (下降3% -> -3), so gap and met read the same way up or down;
--   * a text that names several different targets of the region and year (到位资金 350亿元 and
--     60亿元) identifies none of them, and a target whose best candidates in one report differ
--     (完成投资 81.1亿元 and 429亿元) has no single achievement: both give no row rather than a guess.
create or replace view target_vs_achievement as
with current_records as (
    select
        t.*,
        regexp_replace(t.indicator, '^(全市|全省|全县|全区|全年|年内|累计)|[“”"‘’''\s]', '', 'g') as indicator_key,
        case when t.metric in ('growth', 'change') and t.direction = 'down' then -1 else 1 end as sign,
        t.value_base / nullif(t.value, 0) as scale,
        -- "延伸至10个中心镇", "投资133亿元的36个城建项目": a figure before its indicator's words
        -- counts the things a clause about something else involves; only "新增学位2.5万个"
        -- (indicator, then figure) states a measure that its words alone can identify
        instr(t.evidence, t.value_text || t.unit) between 1 and instr(t.evidence, t.indicator) - 1
            as figure_first,
        d.year as document_year
    from targets t
    join current_documents d using (doc_id)
    where not t.missing_value and t.value is not null and t.region is not null and t.year is not null
      and t.period = 'full_year'
),

-- Indicators whose target is a ceiling whatever the wording ("居民消费价格涨幅3%左右").
ceiling_indicators as (
    select * from (values ('CPI'), ('REGISTERED_UNEMPLOYMENT'), ('SURVEYED_UNEMPLOYMENT'),
                          ('ENERGY_INTENSITY')) as c(indicator_code)
),

planned as (
    select
        r.*,
        r.sign * r.value as target_value,
        r.sign * r.stretch_value as target_stretch,
        r.qualifier in ('以内', '以下', '不超过', '不高于') or r.direction = 'down'
            or r.indicator_code in (select indicator_code from ceiling_indicators) as at_most,
        count(distinct r.sign * r.value) over (
            partition by r.region, r.year, r.metric, r.unit, coalesce(r.indicator_code, r.indicator_key)
        ) as values_for_key
    from current_records r
    where r.kind = 'target'
      -- "在134个镇街各建1处": a quantity for each town, not a total an achievement can be set against
      and not regexp_matches(r.evidence, '各[^\d,;:。、]{0,2}\d')
),

achieved as (
    select r.*, r.sign * r.value as signed_value
    from current_records r
    where r.kind = 'achievement'
),

candidates as (
    select
        p.record_id as target_record_id,
        a.record_id as achievement_record_id,
        a.doc_id as achievement_doc_id,
        a.source_name as achievement_source,
        a.indicator_code as achievement_indicator_code,
        -- 1: same code and text, 2: same code, 3: same text
        case
            when p.indicator_code is not null and a.indicator_code is not null
                then case when p.indicator_key = a.indicator_key then 1 else 2 end
            else 3
        end as match_rank,
        case
            when a.unit = p.unit then a.signed_value
            else a.signed_value * a.scale / p.scale
        end as achieved_value,
        a.document_year,
        a.char_start
    from planned p
    join achieved a
        on a.region = p.region and a.year = p.year and a.metric = p.metric
       and (
            (p.indicator_code is not null and a.indicator_code is not null
             and a.indicator_code = p.indicator_code
             and (a.unit = p.unit or (a.base_unit = p.base_unit and a.scale is not null and p.scale is not null)))
            or ((p.indicator_code is null or a.indicator_code is null)
                and a.indicator_key = p.indicator_key and a.unit = p.unit
                and not p.figure_first and not a.figure_first)
       )
    where p.values_for_key = 1
),

best_matches as (
    select * from (
        select *, min(match_rank) over (partition by target_record_id) as best_rank from candidates
    ) where match_rank = best_rank
),

ranked as (
    -- the earliest report that gives a best match wins (usually the next year's)
    select *,
           count(distinct achieved_value) over (partition by target_record_id, achievement_doc_id) as values_in_report,
           row_number() over (
               partition by target_record_id
               order by document_year, achievement_doc_id, char_start, achievement_record_id
           ) as choice
    from best_matches
),

chosen as (
    select * from ranked where choice = 1 and values_in_report = 1
),

final as (
    select
        p.region,
        p.year,
        coalesce(p.indicator_code, c.achievement_indicator_code) as indicator_code,
        p.indicator,
        p.unit,
        p.metric,
        p.target_value,
        p.qualifier as target_qualifier,
        p.target_stretch,
        c.achieved_value,
        round(c.achieved_value - p.target_value, 6) as gap,  -- rounded: binary floats give 0.0999…
        case when p.at_most then c.achieved_value <= p.target_value
             else c.achieved_value >= p.target_value end as met,
        p.source_name as target_source,
        c.achievement_source,
        p.record_id as target_record_id,
        c.achievement_record_id
    from planned p
    join chosen c on c.target_record_id = p.record_id
)
select * from final;

-- How much each responsible unit carries: records of current documents it leads or joins.
create or replace view unit_workload as
with current_records as (
    select t.record_id, t.doc_id, t.year, t.evidence
    from targets t
    join current_documents d using (doc_id)
),

assignments as (
    select u.unit_name, u.role, r.record_id, r.doc_id, r.year, r.evidence
    from target_units u
    join current_records r using (record_id)
),

final as (
    select
        unit_name,
        role,
        count(distinct record_id) as records,
        count(distinct (doc_id, evidence)) as tasks,  -- distinct clauses: one clause may hold several figures
        count(distinct doc_id) as documents,
        count(distinct year) as years
    from assignments
    group by unit_name, role
)
select * from final;

-- The top keywords of each current document (document_keywords), with where and when it is from.
create or replace view doc_keywords as
with final as (
    select k.doc_id, d.source_name, d.region, d.year, k.rank, k.keyword, k.weight
    from document_keywords k
    join current_documents d using (doc_id)
)
select * from final;
