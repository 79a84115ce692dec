-- Where each side of a comparison comes from, so a row of target_vs_achievement can be checked
-- without a join: the evidence clause, document, section and span of the target and of the
-- achievement. The matching itself stays where it is defined (007, or any later redefinition):
-- that view is renamed target_achievement_matches and target_vs_achievement becomes it plus
-- these columns, its own columns unchanged and first.
alter view target_vs_achievement rename to target_achievement_matches;

create view target_vs_achievement as
with final as (
    select
        m.*,
        t.evidence as target_evidence,
        a.evidence as achievement_evidence,
        t.doc_id as target_doc_id,
        a.doc_id as achievement_doc_id,
        t.section as target_section,
        a.section as achievement_section,
        t.char_start as target_char_start,
        a.char_start as achievement_char_start
    from target_achievement_matches m
    join targets t on t.record_id = m.target_record_id
    join targets a on a.record_id = m.achievement_record_id
)
select * from final;

-- The file a qualitative statement comes from, as targets have it.
alter table qualitative_targets add column if not exists source_name varchar;
update qualitative_targets q set source_name = d.source_name from documents d where d.doc_id = q.doc_id;
