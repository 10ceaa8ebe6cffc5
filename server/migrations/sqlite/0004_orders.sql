-- Registration orders and their payment through the public payment platform, E缴通
-- (DESIGN.md §4). Money is integer fen; instants are Unix seconds.

CREATE TABLE orders (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The order number the platform knows. Random, so that it never repeats even between
    -- databases that talk to the same platform (a fresh test database, a restored backup).
    merchant_order_id TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('individual', 'unit')),
    payer_id          BIGINT NOT NULL REFERENCES users(id),
    unit_id           BIGINT REFERENCES units(id),
    year              BIGINT NOT NULL REFERENCES policy_years(year),
    amount_fen        BIGINT NOT NULL CHECK (amount_fen > 0),
    status            TEXT NOT NULL
        CHECK (status IN ('pending', 'paid', 'cancelled', 'failed', 'refund_due')),
    -- The platform's latest payment of the order, and its cashier page; once the order is
    -- settled, the payment that paid it.
    payment_id        TEXT UNIQUE,
    pay_url           TEXT,
    receipt_no        TEXT,
    -- When the platform took the money, as it reported it.
    paid_at           BIGINT,
    -- Money received that must be paid back (after the deadline, or for someone already paid).
    refund_fen        BIGINT NOT NULL DEFAULT 0 CHECK (refund_fen >= 0 AND refund_fen <= amount_fen),
    refund_reason     TEXT CHECK (refund_reason IN ('after_deadline', 'already_paid')),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK (kind = 'individual' OR unit_id IS NOT NULL),
    CHECK ((status IN ('paid', 'refund_due')) = (paid_at IS NOT NULL))
);
-- A trainee has at most one open order of their own per year; asking again reuses it.
CREATE UNIQUE INDEX orders_one_open_individual ON orders (payer_id, year)
    WHERE kind = 'individual' AND status IN ('pending', 'cancelled', 'failed');
CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_unit ON orders (unit_id, id);
CREATE INDEX orders_by_payer ON orders (payer_id, id);

-- The people an order pays for, each with the fee of their grade when it was made.
CREATE TABLE order_items (
    order_id BIGINT NOT NULL REFERENCES orders(id),
    user_id  BIGINT NOT NULL REFERENCES users(id),
    year     BIGINT NOT NULL,
    grade    TEXT NOT NULL,
    fee_fen  BIGINT NOT NULL CHECK (fee_fen > 0),
    -- NULL until the order is settled; then what its payment did for this person.
    outcome  TEXT CHECK (outcome IN ('activated', 'refund_due')),
    PRIMARY KEY (order_id, user_id)
);
-- Money is never counted twice: one person's year is activated by one order only. A second
-- payment for them is flagged 'refund_due' instead.
CREATE UNIQUE INDEX order_items_paid_once ON order_items (user_id, year)
    WHERE outcome = 'activated';
CREATE INDEX order_items_by_user ON order_items (user_id, year);

-- Every notification received (also the ones refused) and every reconciliation answer that
-- changed an order, with what was made of it.
CREATE TABLE payment_notifications (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at       BIGINT NOT NULL,
    -- 'notify': posted to us by the platform; 'query': the platform's answer to our query.
    source            TEXT NOT NULL CHECK (source IN ('notify', 'query')),
    raw               TEXT NOT NULL,
    notify_id         TEXT,
    payment_id        TEXT,
    merchant_order_id TEXT,
    order_id          BIGINT REFERENCES orders(id),
    verdict           TEXT NOT NULL
);
CREATE INDEX payment_notifications_by_order ON payment_notifications (order_id);
