-- shipment_events(months, customers, locations, categories, suppliers): the shipment events
-- known as reported at each month M (versions of months <= M), with their date and SKU.
-- All lines count here, returns included (a negative event puts units back): these feed
-- COGS, days of supply, dead and excess stock, which the book does not restrict to qty > 0.
-- grain: report_month x line version with a non-zero shipped increment.
-- inputs: order_events, products.
create or replace macro shipment_events(months, customers, locations, categories, suppliers) as table
select
    m.report_month,
    m.month_start,
    m.as_of,
    e.sku,
    p.category,
    e.shipped_on,
    e.shipped_increment as units,
from report_months(months) as m
join order_events as e on e.month <= m.report_month
left join products as p on p.sku = e.sku
where e.shipped_increment <> 0
  and (customers is null or list_contains(customers, e.customer))
  and (locations is null or list_contains(locations, e.location))
  and (categories is null or list_contains(categories, p.category))
  and (suppliers is null or list_contains(suppliers, p.supplier));
