-- Whether a figure covers the whole year or only the year so far ("今年以来", "1—4月份", "上半年"):
-- full_year | year_to_date. A year-to-date figure must not be compared with a full-year target.
-- Rows loaded before this column existed stay null (unknown) until their document is re-extracted.
alter table targets add column if not exists period varchar;
alter table quarantine add column if not exists period varchar;
