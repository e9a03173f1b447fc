-- days_of_supply_bands: SKUs on hand at M by days-of-supply band (0-30, 31-60, 61-90, 91-180,
-- 181-365, over 365, and no shipments in 90 days), with their count and stock value. When the
-- month's shipments are not all reported (shipment_history), days of supply is unknown: every
-- band's count and value are null (is_shipment_history_known false), as the SKU list's days of supply.
-- grain: one row per band. parameters: $month, $excess_months, $locations, $categories,
-- $suppliers. inputs: sku_stock, shipment_history.
with
bands as (
    select * from (values
        (1, '0-30', 0.0, 30.0), (2, '31-60', 30.0, 60.0), (3, '61-90', 60.0, 90.0),
        (4, '91-180', 90.0, 180.0), (5, '181-365', 180.0, 365.0), (6, 'over 365', 365.0, 1e300)
    ) as b(bin_no, bin_label, low, high)
),
on_hand as (
    select days_of_supply, stock_value
    from sku_stock([$month], $excess_months, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where on_hand > 0
),
counted as (
    select b.bin_no, b.bin_label, count(o.days_of_supply) as count_skus, coalesce(sum(o.stock_value), 0) as stock_value
    from bands as b
    left join on_hand as o on o.days_of_supply > b.low and o.days_of_supply <= b.high
        or (b.bin_no = 1 and o.days_of_supply = 0)
    group by b.bin_no, b.bin_label
    union all
    select 7, 'no shipments in 90 days', count(*), coalesce(sum(stock_value), 0)
    from on_hand where days_of_supply is null
),
final as (
    select
        c.bin_no,
        c.bin_label,
        case when h.is_known then c.count_skus end as count_skus,
        case when h.is_known then c.stock_value end as stock_value,
        h.is_known as is_shipment_history_known
    from counted as c, shipment_history([$month]) as h
)
select * from final order by bin_no
