-- Requests per organisation and status, kept by the projector in the same
-- transaction as the number_requests view, so list totals and stats read a
-- few rows instead of counting the view. Filled from the view once here.
CREATE TABLE IF NOT EXISTS request_counts (
    organization_id BIGINT NOT NULL,
    status          TEXT   NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (organization_id, status)
);
INSERT INTO request_counts (organization_id, status, n)
SELECT organization_id, status, COUNT(*) FROM number_requests GROUP BY organization_id, status;
