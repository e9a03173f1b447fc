-- The store's tables. Data rows carry the load that brought them; a load is 'active' (what the
-- KPIs read), 'superseded' (replaced by a later upload of the same dataset and month, kept so
-- that undo can bring it back), or 'undone' / 'deleted' (its rows removed; its file stays archived).
-- grain: one row per load in loads; per stored line/row in the data tables.
create sequence if not exists load_id_seq start 1;

create table if not exists loads (
    load_id integer primary key,
    dataset varchar not null,
    month varchar,                 -- YYYY-MM; null for products (not monthly)
    file_name varchar not null,
    sha256 varchar not null,
    archive_path varchar not null,
    rows_read integer not null,
    rows_stored integer not null,
    findings json,
    notes json,
    options json,
    mapping json,
    loaded_at timestamp not null,
    state varchar not null,        -- active | superseded | undone | deleted
    ended_at timestamp
);

create table if not exists order_lines (
    load_id integer not null,
    month varchar not null,
    order_id varchar not null,
    line_key varchar not null,
    line_id varchar,
    sku varchar not null,
    order_date date not null,
    qty_ordered double not null,
    qty_shipped double not null,
    ship_date date,
    qty_cancelled double not null,
    promised_date date,
    unit_price double,
    customer varchar,
    location varchar,
    status varchar,
    source_rows integer not null,
    first_row integer not null,
    -- the events this version contributes (kpi-book 2), kept current by stocklens.facts
    shipped_increment double,
    shipped_on date,
    cancelled_increment double,
    -- the line's identity (order_id, line_key) as a 128-bit md5 number (stocklens.facts: joins
    -- over history read this one narrow column instead of two strings)
    line_uid uhugeint
);
-- stores made before line_uid existed get the column here; facts.rebuild_all fills it
alter table order_lines add column if not exists line_uid uhugeint;

create table if not exists stock_rows (
    load_id integer not null,
    month varchar not null,
    source_row integer not null,
    sku varchar not null,
    qty_on_hand double not null,
    unit_cost double,
    location varchar,
    snapshot_date date not null
);

create table if not exists product_rows (
    load_id integer not null,
    source_row integer not null,
    sku varchar not null,
    description varchar,
    category varchar,
    supplier varchar,
    unit_cost double,
    lead_time_days double
);

create table if not exists po_lines (
    load_id integer not null,
    month varchar not null,
    source_row integer not null,
    po_id varchar not null,
    line_id varchar,
    sku varchar not null,
    supplier varchar,
    order_date date,
    expected_date date,
    received_date date,
    qty_ordered double not null,
    qty_received double,
    unit_cost double
);
-- One row per PO line version (rows of one upload sharing the line key (po_id, line_id else sku)
-- are merged by insert_purchase_orders: quantities summed), with the receipt event it contributes
-- (kpi-book 2's pattern): received_increment = qty_received (blank = 0) minus the previous active
-- version's, dated received_on = received_date, else the version month's last day. Kept current
-- by stocklens.facts (facts/po_version_increments) when an earlier month changes. po_uid: the
-- line's identity as a 128-bit md5 number. Stores made before these columns get them here.
alter table po_lines add column if not exists line_key varchar;
alter table po_lines add column if not exists source_rows integer;
alter table po_lines add column if not exists received_increment double;
alter table po_lines add column if not exists received_on date;
alter table po_lines add column if not exists po_uid uhugeint;

create table if not exists mappings (
    layout varchar primary key,    -- dataset + hash of the header row
    dataset varchar not null,
    mapping json not null,
    saved_at timestamp not null
);

-- The mapping of a file refused for row errors or its month (importer.prepare with a store), so
-- that the corrected file needs no mapping again. Kept apart from the mappings of loaded files:
-- a refused file changes neither data nor confirmed mappings. A load of the layout removes it.
create table if not exists refused_mappings (
    layout varchar primary key,    -- dataset + hash of the header row, as in mappings
    dataset varchar not null,
    mapping json not null,
    file_name varchar not null,
    saved_at timestamp not null
);

create table if not exists settings (
    key varchar primary key,
    value json not null
);

-- Bumped by every change of data or settings: caches are keyed on it.
create table if not exists meta (
    key varchar primary key,
    value bigint not null
);
insert into meta (key, value) values ('data_version', 0) on conflict do nothing;
insert into meta (key, value) values ('schema_version', 2) on conflict do nothing;
-- facts_version: set when the facts are first built (stocklens.facts.FACTS_VERSION).

