Feature: broken
  Scenario: x
    Given a "pc" machine started with "-m 1G"
  Examples without outline
