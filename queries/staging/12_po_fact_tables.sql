-- The purchase-order facts (stocklens.facts, family purchase_orders), materialised at load time
-- for every month from the first PO upload to the last upload of any monthly dataset. Created
-- here, before the macros that read them (13_po_*), so that any store gets them at connect.

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
