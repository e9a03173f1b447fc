-- Purchase-order formulas (issue 10), written once and used by the store's insert, the facts built
-- at load time and the intermediate macros, like 00_formulas. Scalar macros: inlined, free at run time.

-- A PO line is identified by (po_id, line_id), else (po_id, sku), like an order line (kpi-book 2).
create or replace macro po_line_key(line_id, sku) as
    coalesce(line_id, sku);
-- po_uid: that identity as a 128-bit md5 number (length-prefixed po_id, as order lines' line_uid).
create or replace macro po_line_uid(po_id, line_id, sku) as
    md5_number(length(po_id)::varchar || ':' || po_id || po_line_key(line_id, sku));

-- A receipt event (the growth of qty_received between versions) is dated received_date, else the
-- last day of the version's month.
create or replace macro po_receipt_on(received_date, month) as
    coalesce(received_date, last_day(strptime(month, '%Y-%m'))::date);

-- open_po(line, t) = max(0, qty_ordered - receipts dated <= t) (open_units, 00_formulas: rounded
-- to 6 decimals); a receipt larger than ordered leaves 0 open.
create or replace macro po_open_units(qty_ordered, received) as
    open_units(qty_ordered, received, 0);

-- A line is open from its order date; a line without one from the first day of the month of
-- its first version.
create or replace macro po_open_from(order_date, first_month) as
    coalesce(order_date, strptime(first_month, '%Y-%m')::date);

-- A PO line is late at t when it still has open units and its expected date is before t (a line
-- without expected date is never late).
create or replace macro po_is_late(expected_date, open_qty, as_of) as
    coalesce(expected_date < as_of, false) and open_qty > 0;

-- Lead time of a receipt in days: received on minus the line's order date (null without one).
create or replace macro po_lead_days(received_on, order_date) as
    date_diff('day', order_date, received_on);
