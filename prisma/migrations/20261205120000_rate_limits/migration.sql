-- Rate limits shared by every API replica (rate-limiter-flexible's PostgreSQL store, its own
-- table shape): a key (the limit's name and the subject or address), the points used in the
-- window, and when the window ends (epoch milliseconds). Rows past their end are reused.
CREATE TABLE "rate_limit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limit_pkey" PRIMARY KEY ("key")
);
