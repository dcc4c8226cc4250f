// CounterStoreContract: the conformance suite of throttle::CounterStore.
//
// The tests live in counter_store_contract_test.cc; a backend instantiates
// the suite with a CounterStoreFactory (see store_backend.h) returning a
// fresh, empty store on every call.
#ifndef AUTHD_STORE_CONTRACT_COUNTER_STORE_CONTRACT_H_
#define AUTHD_STORE_CONTRACT_COUNTER_STORE_CONTRACT_H_

#include <memory>

#include <gtest/gtest.h>

#include "store/contract/store_backend.h"
#include "throttle/counter_store.h"

namespace authd::store::contract {

class CounterStoreContract : public ::testing::TestWithParam<CounterStoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    if (IsSkipped()) return;  // the backend is not available here
    ASSERT_NE(store_, nullptr) << "backend " << GetParam().name;
  }

  throttle::CounterStore& store() { return *store_; }

  std::unique_ptr<throttle::CounterStore> store_;
};

}  // namespace authd::store::contract

#endif  // AUTHD_STORE_CONTRACT_COUNTER_STORE_CONTRACT_H_
