-- Which server instance runs each background job now (issue 15): several instances on one
-- PostgreSQL take turns through this row instead of all running every job.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
