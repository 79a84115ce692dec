-- `unit` is a measurement unit in targets (万人, 公里); the government bodies responsible for a
-- record are departments. The table is renamed target_departments (unit_name -> department) and
-- the view unit_workload gets its departmental name, department_workload. The old names stay
-- as views with their old columns, so existing queries still run.
alter table target_units rename to target_departments;
alter table target_departments rename column unit_name to department;

create view target_units as
with final as (
    select record_id, department as unit_name, role from target_departments
)
select * from final;

-- How much each responsible department carries: records of current documents it leads or joins.
create or replace view department_workload as
with current_records as (
    select t.record_id, t.doc_id, t.year, t.evidence
    from targets t
    join current_documents d using (doc_id)
),

assignments as (
    select a.department, a.role, r.record_id, r.doc_id, r.year, r.evidence
    from target_departments a
    join current_records r using (record_id)
),

final as (
    select
        department,
        role,
        count(distinct record_id) as records,
        count(distinct (doc_id, evidence)) as tasks,  -- distinct clauses: one clause may hold several figures
        count(distinct doc_id) as documents,
        count(distinct year) as years
    from assignments
    group by department, role
)
select * from final;

create or replace view unit_workload as
with final as (
    select department as unit_name, role, records, tasks, documents, years from department_workload
)
select * from final;
