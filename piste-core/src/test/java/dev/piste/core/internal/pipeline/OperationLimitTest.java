package dev.piste.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.core.internal.config.ValueType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class OperationLimitTest {

  @Test
  void isAValueOfItsFourParts() {
    OperationLimit a = new OperationLimit(ValueType.parseLimits("5/s burst 10; 100/day"), "application", 2, false);
    OperationLimit same = new OperationLimit(new ArrayList<>(ValueType.parseLimits("5/s burst 10; 100/day")),
        "application", 2, false);

    assertThat(same).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(new OperationLimit(a.limits(), "subject", 2, false)).isNotEqualTo(a);
    assertThat(new OperationLimit(a.limits(), "application", 3, false)).isNotEqualTo(a);
    assertThat(new OperationLimit(a.limits(), "application", 2, true)).isNotEqualTo(a);
    assertThat(new OperationLimit(ValueType.parseLimits("5/s"), "application", 2, false)).isNotEqualTo(a);
  }

  @Test
  void keepsACopyOfTheLimitsAndRefusesACostBelowOne() {
    List<dev.piste.ratelimit.Limit> limits = new ArrayList<>(ValueType.parseLimits("5/s"));
    OperationLimit l = new OperationLimit(limits, "application", 1, false);
    limits.clear();

    assertThat(l.limits()).hasSize(1);
    assertThatThrownBy(() -> new OperationLimit(l.limits(), "application", 0, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cost");
  }

  @Test
  void refusesACostAboveTheSmallestCapacityOfItsLimits() {
    List<dev.piste.ratelimit.Limit> limits = ValueType.parseLimits("10/s burst 20; 5/day");

    assertThat(new OperationLimit(limits, "application", 5, false).cost()).isEqualTo(5);
    assertThatThrownBy(() -> new OperationLimit(limits, "application", 6, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost 6 is above 5, the smallest capacity of the limits 10/s burst 20; 5/day");
  }
}
