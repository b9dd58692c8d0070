//! The prices an order records: only for numbers of the order, once each.

mod common;

use common::*;
use cqrs_es::test::TestFramework;
use numberdesk_domain::values::{Amount, Currency, NumberPrice, Price};
use numberdesk_domain::{
    NumberRequest, NumberRequestCommand as C, NumberRequestError, NumberRequestEvent as E,
};

fn priced(n: u32) -> NumberPrice {
    NumberPrice {
        phone_number: number(n),
        price: Price {
            monthly_cost: Amount::parse("1.00").expect("amount"),
            upfront_cost: Amount::parse("0").expect("amount"),
            currency: Currency::parse("USD").expect("currency"),
        },
    }
}

fn order(numbers: &[u32], prices: Vec<NumberPrice>) -> C {
    C::RecordOrder {
        carrier_order_id: order_id("order-1"),
        phone_numbers: numbers.iter().map(|n| number(*n)).collect(),
        prices,
    }
}

fn on_assigned(command: C) -> Result<Vec<E>, NumberRequestError> {
    TestFramework::<NumberRequest>::with(())
        .given(vec![submitted(2), assigned("ops", 1)])
        .when(command)
        .inspect_result()
}

#[test]
fn the_order_keeps_the_prices_of_its_numbers() {
    let events = on_assigned(order(&[1, 2], vec![priced(1)])).expect("priced order");
    match &events[..] {
        [E::Ordered { prices, .. }] => assert_eq!(prices, &vec![priced(1)]),
        other => panic!("expected one Ordered, got {other:?}"),
    }
}

#[test]
fn a_price_for_a_number_outside_the_order_or_twice_is_refused() {
    for prices in [vec![priced(3)], vec![priced(1), priced(1)]] {
        let result = on_assigned(order(&[1, 2], prices.clone()));
        assert!(
            matches!(
                result,
                Err(NumberRequestError::Invalid {
                    field: "prices",
                    ..
                })
            ),
            "{prices:?} gave {result:?}"
        );
    }
}
