-- Purchase orders as reported at a month (issue 10), from the facts built at load time
-- (queries/facts/schema.sql). A month without its PO upload gives no rows: its PO figures are unknown.

-- po_on_order(as_of): per SKU with open PO units at t = E(M), M = the month of as_of, as reported
-- at M: on_order(s) = sum of open_po(line, t); the earliest expected date of its open lines (in
-- the past when late; null when none has one); open lines past their expected date (late).
-- grain: one row per SKU. inputs: po_line_facts, uploaded_months.
create or replace macro po_on_order(as_of) as table
select
    f.sku,
    sum(f.open_qty) as on_order_units,
    min(f.expected_date) as next_expected_date,
    count(*) filter (where f.is_late) as count_late_lines
from po_line_facts as f
where f.report_month = strftime(as_of::date, '%Y-%m') and f.open_qty > 0
  and has_upload('purchase_orders', strftime(as_of::date, '%Y-%m'))
group by f.sku;

-- sku_lead_times(month): per SKU and supplier (the PO file's, else the product master's), the
-- measured lead time = mean of received_on - order_date over the receipt events dated in the 12
-- months ending at month (as reported at month), weighted by received units.
-- grain: SKU x supplier (SKUs with receipts only). inputs: po_supplier_facts, product_facts.
create or replace macro sku_lead_times(month) as table
select
    f.sku,
    coalesce(f.supplier, p.supplier) as supplier,
    sum(f.lead_day_units) / sum(f.received_units) as lead_time_days_measured
from po_supplier_facts as f
left join product_facts as p on p.sku = f.sku
where f.report_month = month and f.received_units > 0
group by all;

-- po_open_lines(months, categories, suppliers): the open PO lines (open_po > 0 at E(M)) of each
-- month M of `months` that has a PO upload, as reported at M, with the supplier resolved (the
-- PO file's, else the product master's) and the SKU's category. Category and supplier filters
-- keep the SKUs of the product master's choice, as every figure.
-- grain: report_month x PO line. inputs: po_line_facts, product_facts, uploaded_months.
create or replace macro po_open_lines(months, categories, suppliers) as table
select
    f.*,
    coalesce(f.supplier, p.supplier) as po_supplier,
    p.category,
    date_diff('day', f.expected_date, last_day(strptime(f.report_month, '%Y-%m'))::date) as days_late
from po_line_facts as f
left join product_facts as p on p.sku = f.sku
where list_contains(months, f.report_month) and f.open_qty > 0
  and f.report_month in (select month from uploaded_months where dataset = 'purchase_orders')
  and filter_keeps(categories, p.category, 'category')
  and filter_keeps(suppliers, p.supplier, 'supplier');

-- po_coverage(months, promise_days, customers, locations, categories, suppliers): per month M of
-- `months` with its orders, stock and PO uploads, and per backordered SKU (sku_backorders,
-- backorder_units > 0): on_order(s), covered = min(backorder, on order), uncovered = the rest
-- (to be bought), and the cover date: the expected date of the open PO line at which the SKU's
-- cumulative open PO units, ordered by expected date (lines without one last), then po_id and
-- line key, reach the backorder; null when on order is less than the backorder, or when the
-- line that reaches it has no expected date. With the next expected date and late lines.
-- grain: report_month x backordered SKU. inputs: sku_backorders, po_open_lines.
create or replace macro po_coverage(months, promise_days, customers, locations, categories, suppliers) as table
with
backorders as (
    select report_month, sku, backorder_units
    from sku_backorders(months, promise_days, customers, locations, categories, suppliers)
    where backorder_units > 0
      and report_month in (select month from uploaded_months where dataset = 'purchase_orders')
),
open_lines as (
    select
        l.report_month,
        l.sku,
        l.expected_date,
        l.open_qty,
        l.is_late,
        round(sum(l.open_qty) over (partition by l.report_month, l.sku
              order by l.expected_date nulls last, l.po_id, l.line_key
              rows between unbounded preceding and current row), 6) as cumulative_units
    from po_open_lines(months, categories, suppliers) as l
    semi join backorders as b using (report_month, sku)
),
per_sku as (
    select
        o.report_month,
        o.sku,
        sum(o.open_qty) as on_order_units,
        min(o.expected_date) as next_expected_date,
        count(*) filter (where o.is_late) as count_late_lines,
        arg_min_null(o.expected_date, o.cumulative_units) filter (where o.cumulative_units >= b.backorder_units)
            as cover_date,
        bool_or(o.cumulative_units >= b.backorder_units) as is_covered
    from open_lines as o
    join backorders as b using (report_month, sku)
    group by o.report_month, o.sku
)
select
    b.report_month,
    b.sku,
    b.backorder_units,
    coalesce(p.on_order_units, 0) as on_order_units,
    least(b.backorder_units, coalesce(p.on_order_units, 0)) as covered_units,
    b.backorder_units - least(b.backorder_units, coalesce(p.on_order_units, 0)) as uncovered_units,
    case when p.is_covered then p.cover_date end as cover_date,
    p.next_expected_date,
    coalesce(p.count_late_lines, 0) as count_late_lines,
    coalesce(p.count_late_lines, 0) > 0 as is_late
from backorders as b
left join per_sku as p using (report_month, sku);
