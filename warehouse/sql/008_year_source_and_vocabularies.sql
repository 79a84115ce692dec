-- A record's year_source: the level of the cue that gave its year (clause | sentence | paragraph |
-- section) or, where no cue did, how its document's plan year was known (document | session |
-- manifest); null when the record has no year. Rows loaded before stay null until re-extracted.
alter table targets add column if not exists year_source varchar;
alter table quarantine add column if not exists year_source varchar;

-- The vocabularies views read, refreshed from transforms/vocab/ whenever the warehouse is migrated
-- (warehouse.db.refresh_vocabulary): one list of words, in one place, for code and SQL alike.
create table if not exists vocab_indicators (
    indicator_code varchar primary key,
    name_zh varchar,
    is_rate boolean,
    is_ceiling boolean
);
create table if not exists vocab_qualifiers (
    word varchar primary key,
    position varchar,   -- before | after | inside | range
    bound varchar       -- floor | ceiling | approx | milestone | stretch | range
);

-- target_vs_achievement as in 007, with the ceiling words and indicators read from the vocabularies.
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

-- Indicators whose target is a ceiling whatever the wording ("居民消费价格涨幅3%左右"), and the
-- bound words that make any target one ("以内", "不超过"): both from transforms/vocab/.
ceiling_indicators as (
    select indicator_code from vocab_indicators where is_ceiling
),

ceiling_words as (
    select word from vocab_qualifiers where bound = 'ceiling'
),

planned as (
    select
        r.*,
        r.sign * r.value as target_value,
        r.sign * r.stretch_value as target_stretch,
        r.qualifier in (select word from ceiling_words) or r.direction = 'down'
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
