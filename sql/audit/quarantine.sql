-- quarantine: one row per rejected row, with why. Nothing read is lost.
create table if not exists quarantine (
    source_file varchar not null,
    row_number bigint not null,          -- 1 = the first data row after the header
    reason varchar not null,             -- every problem found, "; "-separated, column first
    raw_record json not null             -- the row as read, every column as text
);
