-- po_late_lines: M's late PO lines, as reported at M: open at E(M) (open_po > 0) with an expected
-- date before E(M); with supplier (the PO file's, else the product master's), dates, ordered,
-- received and open units, days late (E(M) - expected date). Most days late first. Empty when M
-- has no PO upload.
-- grain: one row per PO line. parameters: $month, $categories, $suppliers. inputs: po_open_lines,
-- product_facts.
select
    l.po_supplier as supplier,
    l.po_id,
    l.line_key,
    l.sku,
    p.description,
    l.order_date,
    l.expected_date,
    l.days_late,
    l.qty_ordered,
    l.received_to_date,
    l.open_qty,
    l.last_reported_month
from po_open_lines([$month], $categories::varchar[], $suppliers::varchar[]) as l
left join product_facts as p on p.sku = l.sku
where l.is_late
order by l.days_late desc, l.open_qty desc, l.po_id, l.line_key
