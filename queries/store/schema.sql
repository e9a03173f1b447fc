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
    cancelled_increment double
);

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

-- Facts materialised at load time (stocklens.facts), so that a month's KPIs read only that
-- month's rows, whatever the length of history.
-- line_facts: each order line as reported at report_month (only uploads <= report_month), for
-- the lines of that month's upload, the lines still open (or ordered for later) a month before,
-- and lines with events dated after the previous month end. Returns (qty_ordered <= 0) are left out.
create table if not exists line_facts (
    report_month varchar not null,
    order_id varchar not null,
    line_key varchar not null,
    sku varchar not null,
    customer varchar,
    location varchar,
    order_date date not null,
    promised_date date,
    qty_ordered double not null,
    qty_cancelled double not null,
    unit_price double,
    last_reported_month varchar not null,
    open_qty double not null,          -- at the end of report_month
    shipped_to_date double not null,   -- shipment events dated <= end of report_month
    shipped_in_month double not null,
    cancelled_in_month double not null,
    ship_events struct(shipped_on date, units double)[]  -- for lines ordered in report_month only
);

-- sku_location_flows: shipment events known at report_month (all lines, returns included), per
-- SKU and location, summed over the windows the stock KPIs use; sku_flows: the same per SKU.
create table if not exists sku_location_flows (
    report_month varchar not null,
    sku varchar not null,
    location varchar,
    shipped_units_month double not null,
    shipped_units_90d double not null,
    has_shipment_180d boolean not null,
    shipped_units_6m double not null
);
create table if not exists sku_flows (
    report_month varchar not null,
    sku varchar not null,
    shipped_units_month double not null,
    shipped_units_90d double not null,
    has_shipment_180d boolean not null,
    shipped_units_6m double not null
);

-- stock_costs: each SKU's latest unit cost from the stock files as of report_month.
create table if not exists stock_costs (
    report_month varchar not null,
    sku varchar not null,
    unit_cost double not null,
    cost_month varchar not null
);

-- stock_on_hand: each SKU's on hand over all locations at report_month, with its stock cost.
create table if not exists stock_on_hand (
    report_month varchar not null,
    sku varchar not null,
    qty_on_hand_reported double not null,
    on_hand double not null,
    stock_unit_cost double
);

create table if not exists mappings (
    layout varchar primary key,    -- dataset + hash of the header row
    dataset varchar not null,
    mapping json not null,
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

-- What the KPIs read: the rows of active loads only.
create or replace view orders as
    select o.* from order_lines o join loads l using (load_id) where l.state = 'active';
create or replace view stock as
    select s.* from stock_rows s join loads l using (load_id) where l.state = 'active';
create or replace view products as
    select * exclude (rn) from (
        select p.*, row_number() over (partition by p.sku order by p.source_row desc) as rn
        from product_rows p join loads l using (load_id) where l.state = 'active'
    ) where rn = 1;
create or replace view purchase_orders as
    select p.* from po_lines p join loads l using (load_id) where l.state = 'active';
