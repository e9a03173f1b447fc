-- po_version_increments: recompute the receipt event of each active PO line version of month
-- $from_month or later, for the lines that have a version (of any load, active or not) in $month
-- (every line when $month is null, for a full rebuild): received_increment = qty_received (blank
-- = 0) minus the previous active version's (v_0 = 0), dated received_date else the version
-- month's last day (po_receipt_on). Needed when a month's versions change under later ones (a
-- past month replaced, undone, deleted), as facts/version_increments for order lines.
-- grain: updates po_lines rows. parameters: $month, $from_month. inputs: po_lines, purchase_orders.
update po_lines as o
set
    received_increment = x.received_increment,
    received_on = x.received_on
from (
    select
        v.load_id,
        v.po_uid,
        v.month,
        coalesce(v.qty_received, 0)
            - coalesce(lag(coalesce(v.qty_received, 0)) over (partition by v.po_uid order by v.month), 0)
            as received_increment,
        po_receipt_on(v.received_date, v.month) as received_on
    from purchase_orders as v
    semi join (select distinct po_uid from po_lines where $month is null or month = $month) as k
        using (po_uid)
) as x
where o.load_id = x.load_id and o.po_uid = x.po_uid
  and x.month >= $from_month
