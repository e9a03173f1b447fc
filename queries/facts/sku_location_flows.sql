-- sku_location_flows: shipment events known at $month (versions <= $month, all lines, returns included)
-- per SKU and location: units dated in the month, in the 90 days up to t (after t - 90, on or
-- before t), whether any positive event falls in the 180 days up to t, and units dated in the
-- 6 calendar months ending at $month.
-- grain: sku x location. parameters: $month, $six_months_start (first day of the month 5
-- months before), $as_of. inputs: orders, report_months.
insert into sku_location_flows
with
bounds as (
    select month_start, as_of from report_months([$month])
),
events as (
    -- constant date bounds, so that the scan skips the row groups of older months
    select o.sku, o.location, o.shipped_on, o.shipped_increment as units
    from orders as o
    where o.month <= $month
      and o.shipped_increment <> 0
      and o.shipped_on >= $six_months_start
      and o.shipped_on <= $as_of
)
select
    $month as report_month,
    e.sku,
    e.location,
    coalesce(sum(e.units) filter (where e.shipped_on >= b.month_start), 0) as shipped_units_month,
    coalesce(sum(e.units) filter (where e.shipped_on > b.as_of - interval 90 day), 0) as shipped_units_90d,
    coalesce(bool_or(e.units > 0) filter (where e.shipped_on > b.as_of - interval 180 day), false)
        as has_shipment_180d,
    sum(e.units) as shipped_units_6m
from events as e, bounds as b
group by e.sku, e.location
