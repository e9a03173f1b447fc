-- What is loaded: one row per active load (dataset and month), newest month first.
-- grain: dataset x month. parameters: none. inputs: loads.
select
    dataset,
    month,
    load_id,
    file_name,
    rows_read,
    rows_stored,
    coalesce(json_array_length(findings), 0) as count_findings,
    findings,
    loaded_at,
    (select count(*) from loads p
      where p.dataset = l.dataset and p.month is not distinct from l.month
        and p.state = 'superseded') as count_earlier_versions
from loads l
where state = 'active'
order by month desc nulls last, dataset
