-- The number exactly as written ("6.5", "五十六", "1/3", "三分之一"): value is its parse.
alter table targets add column if not exists value_text varchar;
alter table quarantine add column if not exists value_text varchar;
