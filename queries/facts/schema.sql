-- Facts materialised at load time (stocklens.facts), so that a month's KPIs read only that
-- month's rows, whatever the length of history.
-- line_facts: each order line as reported at report_month (only uploads <= report_month), for
-- the lines of that month's upload, the lines still open (or ordered for later) a month before,
-- and lines with events dated after the previous month end. Returns (qty_ordered <= 0) are left out.
-- closed_by_absence: the open units closed in report_month because its orders load lists every
-- open line (load option lists_every_open_line) and does not list this one (dated E(M); open_qty
-- is then 0 from that month on, until a later file lists the line again).
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
    closed_by_absence double not null, -- units closed by absence in report_month (see above)
    ship_events struct(shipped_on date, units double)[],  -- for lines ordered in report_month only
    line_uid uhugeint not null         -- order_lines.line_uid
);

-- fact_progress: per family of facts (stocklens.facts), the last month its facts were computed
-- for (a month without uploads of the family's datasets has no rows but is computed).
create table if not exists fact_progress (
    family varchar primary key,
    last_month varchar not null
);

-- product_facts: the product master as the KPIs read it (the products view: each SKU's latest row
-- of the active load), kept as a table so that a query does not rank the rows again at each use.
create table if not exists product_facts as select * from products limit 0;

-- backorder_facts: for a month with both an orders and a stock upload, per SKU with open demand
-- at its end (line_facts, open_qty > 0): open units, lines, oldest order date, on hand over all
-- locations (0 without a stock row) and backorder units = max(0, demand - on hand). What the
-- backorder figures read without a customer or location filter (category and supplier filters
-- join the product master); those filters compute from the lines and stock rows.
create table if not exists backorder_facts (
    report_month varchar not null,
    sku varchar not null,
    open_demand double not null,
    count_lines bigint not null,
    oldest_order_date date not null,
    on_hand double not null,
    backorder_units double not null
);

-- inventory_stock_facts and inventory_cogs_facts: each month's stock (stock_states) and COGS
-- (shipments of the month times unit cost as of the month, sku_flows_at) summed per product
-- category (null: none), over all locations; what inventory_months reads without a location or
-- supplier filter (a category filter keeps its categories). Their counts are of SKUs, and every
-- SKU is in one category, so the rows add up to the all-SKU figures.
create table if not exists inventory_stock_facts (
    report_month varchar not null,
    category varchar,
    inventory_units double,
    known_value double,
    count_skus_on_hand bigint not null,
    count_skus_unknown_cost bigint not null
);
create table if not exists inventory_cogs_facts (
    report_month varchar not null,
    category varchar,
    known_cogs double,
    shipped_units double not null,     -- shipment units of the month, whatever the cost (cogs_units)
    count_skus_known_cost bigint not null,
    count_skus_cogs_unknown_cost bigint not null
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

-- sku_month_demand: net ordered units of the lines ordered in report_month per SKU, as reported
-- at report_month (queries/facts/sku_month_demand.sql).
create table if not exists sku_month_demand (
    report_month varchar not null,
    sku varchar not null,
    net_ordered double not null
);
-- sku_recent_demand: net ordered units of the lines ordered in the 90 days up to E(report_month)
-- per SKU, as reported at report_month (queries/facts/sku_recent_demand.sql).
create table if not exists sku_recent_demand (
    report_month varchar not null,
    sku varchar not null,
    demand_90d_units double not null
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

-- stored_results: KPI query results already computed (stocklens.results), as Arrow IPC bytes, keyed
-- by the query, a hash of its parameters and a month. A month-grain query or month aggregate
-- (results.MONTH_GRAIN, MONTH_AGGREGATES: the month figures) has one row per month, its key the
-- hash of its other parameters (settings, filters); any other query one row, under the latest
-- month it reads ('9999-12' when it names none), its key the hash of all its parameters. A month's
-- results use only uploads of that month and earlier: results.invalidate forgets what a change
-- can alter. The standard view's month figures are computed after each change (stocklens.service).
create table if not exists stored_results (
    query varchar not null,
    params_key varchar not null,
    report_month varchar not null,
    result blob not null,
    computed_at timestamp not null,
    compute_ms double not null,
    data_version bigint,           -- meta.data_version the result was computed on (stale ones are never stored)
    primary key (query, params_key, report_month)
);
-- shelved_line_events, shelved_sku_recent_demand and shelved_po_supplier_facts: the facts of the
-- latest month that a load replaced (stocklens.facts._SHELF, the slowest to build: a PO month's
-- supplier figures read 12 months of PO versions), kept like shelved_results: undoing
-- that load while it is the latest change restores them. Every other change empties them.
-- shelved_line_events keeps line_facts' own columns: a line's attributes are those of its version
-- at last_reported_month, restored from the stored lines (queries/facts/restore_line_facts.sql);
-- without the strings, keeping them costs the load little.
create table if not exists shelved_line_events as
select report_month, line_uid, last_reported_month, open_qty, shipped_to_date, shipped_in_month, cancelled_in_month,
       closed_by_absence, ship_events
from line_facts limit 0;
create table if not exists shelved_sku_recent_demand as select * from sku_recent_demand limit 0;

-- shelved_results: the stored results that the latest load forgot (results.invalidate), tagged
-- with that load: undoing it while it is still the latest change brings back the data the results
-- were computed on, so they are restored instead of computed again. Every other change empties it.
create table if not exists shelved_results as select 0::integer as load_id, * from stored_results limit 0;
-- the two tables it replaced (only caches)
drop table if exists result_cache;
drop table if exists month_figures;

-- (purchase orders, issue 10)
-- po_line_facts: each PO line as reported at report_month (only uploads <= report_month: the
-- attributes of its latest version, receipts of its versions dated <= E(M)), for the lines open
-- at E(M), not yet open (open_from after E(M)), or with receipts dated in the month. Lines with
-- qty_ordered <= 0 are left out. supplier: the PO file's (null when blank; readers fall back to
-- the product master's).
create table if not exists po_line_facts (
    report_month varchar not null,
    po_uid uhugeint not null,
    po_id varchar not null,
    line_key varchar not null,
    sku varchar not null,
    supplier varchar,
    order_date date,
    open_from date not null,
    expected_date date,
    qty_ordered double not null,
    received_to_date double not null,
    received_in_month double not null,
    open_qty double not null,
    is_late boolean not null,
    last_reported_month varchar not null
);

-- po_supplier_facts: per PO supplier (the file's, null when blank) and SKU, the 12 months ending
-- at report_month (a month with a PO upload), as reported at report_month: receipt units and
-- unit-weighted lead days, with the lead-time distribution (days, units) for percentiles; PO lines
-- due (expected_date) in the window and those received in full by their expected date; their
-- ordered units and units received by the expected date (at most ordered); PO lines ordered in
-- the window with an expected date (stated lead time); PO line versions of the window's uploads.
create table if not exists po_supplier_facts (
    report_month varchar not null,
    supplier varchar,
    sku varchar not null,
    received_units double not null,
    lead_day_units double not null,
    lead_times struct(days integer, units double)[],
    count_lines_due bigint not null,
    count_lines_otif bigint not null,
    units_due double not null,
    units_on_time double not null,
    count_lines_stated bigint not null,
    stated_days double not null,
    count_versions bigint not null
);
-- (shelved like the facts above: see shelved_line_events)
create table if not exists shelved_po_supplier_facts as select * from po_supplier_facts limit 0;
