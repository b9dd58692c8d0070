-- Every organisation with requests has a request_counts row for every status
-- (zero until one of its requests has it), as the projector now writes them:
-- the rows no longer depend on which statuses a projector pass happened to
-- see, so a rebuild recreates the table row for row.
WITH statuses (status) AS (
    VALUES ('submitted'), ('assigned'), ('ordered'), ('provisioned'),
           ('failed'), ('rejected'), ('cancelled')
)
INSERT INTO request_counts (organization_id, status, n)
SELECT o.organization_id, statuses.status, 0
FROM (SELECT DISTINCT organization_id FROM number_requests) AS o
CROSS JOIN statuses
WHERE true
ON CONFLICT (organization_id, status) DO NOTHING;
