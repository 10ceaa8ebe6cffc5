//! Registration orders and their payment (DESIGN.md §4): who pays for whom, and where the
//! money stands. The wire names are also the stored values.

use serde::{Deserialize, Serialize};

/// Who pays: the trainee for themself, or their unit for several staff at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// 个人缴费
    Individual,
    /// 单位统一缴费
    Unit,
}

impl OrderKind {
    pub const ALL: [OrderKind; 2] = [OrderKind::Individual, OrderKind::Unit];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Individual => "individual",
            OrderKind::Unit => "unit",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderKind::Individual => "个人缴费",
            OrderKind::Unit => "单位统一缴费",
        }
    }
}

/// Where an order stands.
///
/// `pending`, `cancelled` and `failed` are open: the order can still be paid (a cancelled or
/// failed payment at the platform is followed by a new one). `paid` and `refund_due` are
/// settled: money was received and never changes state again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for payment.
    Pending,
    /// Paid; every enrolment of the order is active.
    Paid,
    /// The payer cancelled at the cashier; the order can be paid again.
    Cancelled,
    /// The payment failed at the cashier; the order can be paid again.
    Failed,
    /// Money was received but some or all of it must be paid back (`refund_fen` says how
    /// much): paid after the registration deadline, or for someone already paid for.
    RefundDue,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Cancelled,
        OrderStatus::Failed,
        OrderStatus::RefundDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Failed => "failed",
            OrderStatus::RefundDue => "refund_due",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Pending => "待支付",
            OrderStatus::Paid => "已支付",
            OrderStatus::Cancelled => "已取消",
            OrderStatus::Failed => "支付失败",
            OrderStatus::RefundDue => "待退款",
        }
    }

    /// Money was received for the order; nothing changes its state any more.
    pub fn is_settled(self) -> bool {
        matches!(self, OrderStatus::Paid | OrderStatus::RefundDue)
    }
}

/// What a settled order's payment did for one person in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    /// The person's enrolment for the year was activated by this order.
    Activated,
    /// The person's fee is to be paid back (see the order's `refund_reason`).
    RefundDue,
}

impl ItemOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemOutcome::Activated => "activated",
            ItemOutcome::RefundDue => "refund_due",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        [ItemOutcome::Activated, ItemOutcome::RefundDue]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Why money is to be paid back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The payment was made after the registration deadline; nobody was enrolled.
    AfterDeadline,
    /// Some people in the order had already been paid for this year by another order.
    AlreadyPaid,
}

impl RefundReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::AfterDeadline => "after_deadline",
            RefundReason::AlreadyPaid => "already_paid",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        [RefundReason::AfterDeadline, RefundReason::AlreadyPaid]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RefundReason::AfterDeadline => "报名截止后缴费",
            RefundReason::AlreadyPaid => "已由其他订单缴费",
        }
    }
}

/// The most people one unit order may hold; a unit with more staff pays in several orders.
pub const MAX_ORDER_TRAINEES: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_wire(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for k in OrderKind::ALL {
            assert_eq!(OrderKind::from_wire(k.as_str()), Some(k));
        }
        for o in [ItemOutcome::Activated, ItemOutcome::RefundDue] {
            assert_eq!(ItemOutcome::from_wire(o.as_str()), Some(o));
        }
        for r in [RefundReason::AfterDeadline, RefundReason::AlreadyPaid] {
            assert_eq!(RefundReason::from_wire(r.as_str()), Some(r));
        }
    }

    #[test]
    fn only_paid_and_refund_due_are_settled() {
        let settled: Vec<_> = OrderStatus::ALL
            .into_iter()
            .filter(|s| s.is_settled())
            .collect();
        assert_eq!(settled, [OrderStatus::Paid, OrderStatus::RefundDue]);
    }
}
