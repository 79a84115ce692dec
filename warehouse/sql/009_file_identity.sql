-- Issue 14: a file is identified by its path relative to the input folder (source_path, with '/'),
-- so the same name in two folders is two documents; source_name stays the file's base name.
-- Rows loaded before this column existed came from a walk that identified files by name: their
-- name is their path until the next run finds them (a file found in a subfolder with the same
-- bytes is then recorded as moved there).
alter table documents add column if not exists source_path varchar;
update documents set source_path = source_name where source_path is null;
alter table targets add column if not exists source_path varchar;
update targets set source_path = source_name where source_path is null;
alter table quarantine add column if not exists source_path varchar;
update quarantine set source_path = source_name where source_path is null;

-- What the file was (text | markdown | html | pdf | docx); before, only text files were read.
alter table documents add column if not exists source_format varchar;
update documents set source_format = 'text' where source_format is null;
-- Damaged bytes replaced with U+FFFD plus NUL/control characters removed while decoding (before:
-- files were decoded strictly, so 0).
alter table documents add column if not exists decode_errors integer;
update documents set decode_errors = 0 where decode_errors is null;
-- The run that no longer found the file in the input folder (deleted, or moved out of it); null
-- while it is there. Its records are kept; the views leave it out (010).
alter table documents add column if not exists removed_in_run varchar;

-- A rejection is recorded once per file, bytes and extractor version (not again on every run).
alter table rejected_files add column if not exists source_path varchar;
alter table rejected_files add column if not exists extractor_version varchar;
