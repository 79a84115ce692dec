-- Each record in its context: the clause it was read from with the clauses before and after it
-- in the same sentence, the whole sentence, its section's heading path and the character spans
-- (offsets into document_texts.text, 0-based, end exclusive). One row per record of a current
-- document; `evidence` alone is one short clause ("基本建成7500套": what was built is in the clause
-- before, "新开工棚户区改造13496套").
create or replace view record_context as
with sentence_clauses as (
    select
        c.*,
        lag(c.text) over (partition by c.doc_id, c.sentence_start order by c.char_start) as clause_before,
        lead(c.text) over (partition by c.doc_id, c.sentence_start order by c.char_start) as clause_after,
        max(c.char_end) over (partition by c.doc_id, c.sentence_start) as sentence_end
    from clauses c
),

current_records as (
    select t.*
    from targets t
    where t.doc_id in (select doc_id from current_documents)
),

located as (
    -- a record's clause is the last one that starts at or before the record
    select
        r.record_id, r.doc_id, r.source_name, r.region, r.year, r.kind, r.indicator, r.indicator_code,
        r.value, r.unit, r.qualifier, r.evidence, r.char_start, r.char_end,
        c.section, c.section_kind, c.clause_before, c.text as clause, c.clause_after,
        c.sentence_start, c.sentence_end
    from current_records r
    asof left join sentence_clauses c on r.doc_id = c.doc_id and r.char_start >= c.char_start
),

final as (
    select
        l.record_id, l.doc_id, l.source_name, l.region, l.year, l.kind, l.indicator, l.indicator_code,
        l.value, l.unit, l.qualifier, l.evidence,
        l.section, l.section_kind,
        l.clause_before, l.clause, l.clause_after,
        substring(x.text, l.sentence_start + 1, l.sentence_end - l.sentence_start) as sentence,
        l.char_start, l.char_end, l.sentence_start, l.sentence_end
    from located l
    left join document_texts x using (doc_id)
)
select * from final;
